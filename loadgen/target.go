package loadgen

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
)

// checkLoopback refuses a target outside loopback unless allowRemote: a
// load test aimed at the wrong address hurts someone else's service.
// addr is host:port, or a URL; a name must resolve to loopback only.
func checkLoopback(what, addr string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	host := addr
	if u, err := url.Parse(addr); err == nil && u.Host != "" {
		host = u.Host
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s %s is not on loopback: pass --allow-remote to load-test it", what, addr)
		}
		return nil
	}
	ips, err := net.LookupHost(host)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, addr, err)
	}
	for _, s := range ips {
		if ip, err := netip.ParseAddr(s); err != nil || !ip.IsLoopback() {
			return fmt.Errorf("%s %s resolves to %s, not loopback: pass --allow-remote to load-test it", what, addr, s)
		}
	}
	return nil
}
