package loadgen

import (
	"net/netip"
	"strings"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:8080", false, true},
		{"127.1.0.7:9000", false, true},
		{"[::1]:80", false, true},
		{"localhost:80", false, true},
		{"https://127.0.0.1:6443", false, true},
		{"10.244.0.5:7000", false, false},
		{"https://203.0.113.9:6443", false, false},
		{"10.244.0.5:7000", true, true},
	} {
		err := targets{remote: tc.remote}.check("matchmaker", tc.addr)
		if (err == nil) != tc.ok {
			t.Errorf("check(%q, remote=%v) = %v", tc.addr, tc.remote, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("error %q does not say how to allow it", err)
		}
	}
}

func TestClusterNetworksAreReachable(t *testing.T) {
	kind := targets{reachable: []netip.Prefix{netip.MustParsePrefix("10.244.0.0/16")}}
	for addr, ok := range map[string]bool{"10.244.3.7:7000": true, "127.0.0.1:80": true, "10.245.0.1:80": false, "http://10.244.1.2:8080/v1": true} {
		if err := kind.check("room", addr); (err == nil) != ok {
			t.Errorf("check(%q) = %v, want allowed=%v", addr, err, ok)
		}
	}
}
