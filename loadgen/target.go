package loadgen

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
)

// targets says where players in this process may connect: loopback and
// the cluster's own networks (kind's pods, routed through the node
// containers it started), or anywhere with --allow-remote.
type targets struct {
	remote    bool
	reachable []netip.Prefix
}

func (t targets) allows(ip netip.Addr) bool {
	if ip.IsLoopback() {
		return true
	}
	for _, p := range t.reachable {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// check refuses a target outside loopback and the cluster's networks
// unless remote: a load test aimed at the wrong address hurts someone
// else's service. addr is host:port, or a URL; a name must resolve to
// allowed addresses only.
func (t targets) check(what, addr string) error {
	if t.remote {
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
		if !t.allows(ip) {
			return fmt.Errorf("%s %s is not on loopback nor the cluster's network: pass --allow-remote to load-test it", what, addr)
		}
		return nil
	}
	ips, err := net.LookupHost(host)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, addr, err)
	}
	for _, s := range ips {
		if ip, err := netip.ParseAddr(s); err != nil || !t.allows(ip) {
			return fmt.Errorf("%s %s resolves to %s, not loopback: pass --allow-remote to load-test it", what, addr, s)
		}
	}
	return nil
}
