package kind

import (
	"strings"
	"testing"
)

func TestParseMeminfo(t *testing.T) {
	h, err := parseMeminfo([]byte("MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   20480000 kB\n"))
	if err != nil || h.totalMiB != 24000 || h.availableMiB != 20000 {
		t.Errorf("parseMeminfo = %+v, %v; want 24000 and 20000 MiB", h, err)
	}
	for _, bad := range []string{"", "MemTotal: 12 kB\n", "MemTotal: x kB\nMemAvailable: 1 kB\n"} {
		if _, err := parseMeminfo([]byte(bad)); err == nil {
			t.Errorf("parseMeminfo(%q) took it", bad)
		}
	}
}

// TestPoolPastTheHostIsRefusedWithTheNumbers: the pools the tests and
// the shipped scenarios use fit a 2-core host of 24 GiB; one of forty
// nodes does not, nor one whose rooms take the memory, and each refusal
// says what was needed and what the host has.
func TestPoolPastTheHostIsRefusedWithTheNumbers(t *testing.T) {
	ci := host{cores: 2, totalMiB: 24 * 1024, availableMiB: 22 * 1024}
	for _, p := range []pool{{nodes: 12, rooms: 100}, {nodes: 4, rooms: 48}} {
		if err := ci.fits(p); err != nil {
			t.Errorf("%+v refused on %+v: %v", p, ci, err)
		}
	}
	if err := ci.fits(pool{nodes: 40, rooms: 100}); err == nil || !strings.Contains(err.Error(), "40 node containers") || !strings.Contains(err.Error(), "2 cores") {
		t.Errorf("40 nodes on 2 cores: %v", err)
	}
	small := host{cores: 16, totalMiB: 4096, availableMiB: 3000}
	if err := small.fits(pool{nodes: 6, rooms: 2000}); err == nil || !strings.Contains(err.Error(), "3000 MiB available") || !strings.Contains(err.Error(), "2000 rooms") {
		t.Errorf("2000 rooms in 3000 MiB: %v", err)
	}
}
