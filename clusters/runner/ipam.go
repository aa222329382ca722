package runner

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// ipam hands out pod IPs from 127.N.0.0/16, N being this cluster's range.
// Linux routes all of 127.0.0.0/8 to lo, so each pod can bind its own
// address without setup. Allocation goes round the range so a freed
// address is reused last: a client holding a dead pod's IP must not reach
// a new pod by accident.
type ipam struct {
	mu    sync.Mutex
	inUse map[netip.Addr]bool
	next  uint16
	net   byte // N
}

func newIPAM(n byte) *ipam { return &ipam{inUse: map[netip.Addr]bool{}, next: 1, net: n} }

var errNoIPs = errors.New("no free pod IP in the cluster's /16")

func (a *ipam) alloc() (netip.Addr, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range 1 << 16 {
		n := a.next
		a.next++
		if lo := byte(n); lo == 0 || lo == 255 {
			continue
		}
		ip := netip.AddrFrom4([4]byte{127, a.net, byte(n >> 8), byte(n)})
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

// claimRange takes the first free 127.N.0.0/16 (N = 1…254) for this
// runner's lifetime, with an exclusive lock on dir/range-N.lock: clusters
// on one host must never hand out the same pod IP (their pods would
// collide on address and port, or players would reach the wrong cluster).
// The lock goes with the process, however it ends.
func claimRange(dir string) (byte, *os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, nil, err
	}
	for n := 1; n <= 254; n++ {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("range-%d.lock", n)), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return 0, nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
			return byte(n), f, nil
		}
		f.Close()
	}
	return 0, nil, errors.New("every pod IP range 127.1–254.0.0/16 is taken by another cluster")
}
