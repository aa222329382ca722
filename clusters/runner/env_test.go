package runner

import (
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"A": "1", "POD_IP": "127.1.0.1"}
	for in, want := range map[string]string{
		"plain":             "plain",
		"$(A)":              "1",
		"--bind=$(POD_IP)x": "--bind=127.1.0.1x",
		"$$(A)":             "$(A)",
		"$(MISSING)":        "$(MISSING)",
		"$(A":               "$(A",
		"cost $5":           "cost $5",
		"end$":              "end$",
	} {
		if got := expand(in, vars); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestImageName(t *testing.T) {
	for in, want := range map[string]string{
		"redis":                               "redis",
		"redis:7.2":                           "redis",
		"docker.io/library/redis:7@sha256:ab": "redis",
		"fleetbench/roomserver:dev":           "fleetbench/roomserver",
		"localhost:5000/x/y:1":                "localhost:5000/x/y",
	} {
		if got := imageName(in); got != want {
			t.Errorf("imageName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCommand(t *testing.T) {
	c := Config{Images: map[string][]string{"shell": {"/bin/sh", "-c"}}, BinDir: t.TempDir()}
	argv, err := c.command("shell:1", []string{"/entrypoint", "-x"}, []string{"echo hi"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/bin/sh", "-c", "-x", "echo hi"}; !equal(argv, want) {
		t.Errorf("argv %q, want %q", argv, want)
	}
	if _, err := c.command("fleetbench/absent:dev", nil, nil); err == nil {
		t.Error("a fleetbench image without its binary in BinDir must fail")
	}
	if _, err := c.command("unknown/image", nil, nil); err == nil {
		t.Error("an unmapped image must fail")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIPAMReusesLast(t *testing.T) {
	a := newIPAM(1)
	first, _ := a.alloc()
	second, _ := a.alloc()
	if first != netip.MustParseAddr("127.1.0.1") || second != netip.MustParseAddr("127.1.0.2") {
		t.Fatalf("got %s, %s", first, second)
	}
	a.release(first)
	if third, _ := a.alloc(); third == first {
		t.Errorf("freed address %s reused at once", first)
	}
	seen := map[netip.Addr]bool{}
	for range 1000 {
		ip, err := a.alloc()
		if err != nil || seen[ip] || ip.As4()[3] == 0 || ip.As4()[3] == 255 {
			t.Fatalf("alloc %s, %v", ip, err)
		}
		seen[ip] = true
	}
}

func TestResourceValue(t *testing.T) {
	c := corev1.Container{Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1500m"), corev1.ResourceMemory: resource.MustParse("1Gi")},
	}}
	for _, tc := range []struct {
		res, div, want string
	}{
		{"requests.cpu", "", "2"},
		{"requests.cpu", "1m", "1500"},
		{"requests.memory", "1Mi", "1024"},
	} {
		ref := &corev1.ResourceFieldSelector{Resource: tc.res}
		if tc.div != "" {
			ref.Divisor = resource.MustParse(tc.div)
		}
		got, err := resourceValue(c, ref)
		if err != nil || got != tc.want {
			t.Errorf("%s / %q = %q, %v; want %s", tc.res, tc.div, got, err, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 6: 30 * time.Second, 50: 30 * time.Second} {
		if got := backoff(n); got != want {
			t.Errorf("backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestClustersClaimDistinctRanges(t *testing.T) {
	dir := t.TempDir()
	a, fa, err := claimRange(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, fb, err := claimRange(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two runners got range 127.%d", a)
	}
	fa.Close() // the first cluster goes down: its range is free again
	c, fc, err := claimRange(dir)
	if err != nil || c != a {
		t.Errorf("after release got 127.%d, %v; want 127.%d back", c, err, a)
	}
	fb.Close()
	fc.Close()
}
