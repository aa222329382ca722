package runner

import (
	"errors"
	"net/netip"
	"sync"
)

// ipam hands out pod IPs from 127.1.0.0/16. Linux routes all of
// 127.0.0.0/8 to lo, so each pod can bind its own address without setup.
// Allocation goes round the range so a freed address is reused last: a
// client holding a dead pod's IP must not reach a new pod by accident.
type ipam struct {
	mu    sync.Mutex
	inUse map[netip.Addr]bool
	next  uint16
}

func newIPAM() *ipam { return &ipam{inUse: map[netip.Addr]bool{}, next: 1} }

var errNoIPs = errors.New("no free pod IP in 127.1.0.0/16")

func (a *ipam) alloc() (netip.Addr, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range 1 << 16 {
		n := a.next
		a.next++
		if lo := byte(n); lo == 0 || lo == 255 {
			continue
		}
		ip := netip.AddrFrom4([4]byte{127, 1, byte(n >> 8), byte(n)})
		if !a.inUse[ip] {
			a.inUse[ip] = true
			return ip, nil
		}
	}
	return netip.Addr{}, errNoIPs
}

func (a *ipam) release(ip netip.Addr) {
	a.mu.Lock()
	delete(a.inUse, ip)
	a.mu.Unlock()
}
