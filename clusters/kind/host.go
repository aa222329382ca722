package kind

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// What one node container costs this host, from `docker stats` of a kind
// cluster with the offline image on a 2-core Debian 12 host, the stack
// installed: the control plane 564–595 MiB, the system worker (Redis,
// matchmaker, fleetd) 224–281 MiB, a room worker with 3 rooms 171–247
// MiB, a fresh worker 192 MiB; idle workers took 1.8–9.4% of a core.
const (
	controlPlaneMiB = 600 // apiserver, etcd, controller manager, scheduler, kubelet
	workerMiB       = 256 // systemd, containerd, kubelet, kube-proxy, the images
	roomMiB         = 20  // one room server: (247 − 192) / 3, rounded up
	// nodesPerCore bounds the node containers per core: at up to ~6% of
	// a core each at rest, 8 per core leave half the host to the control
	// plane, the players and the joins (a join takes a core for seconds).
	nodesPerCore = 8
	// reserveMiB is left to this process, its players and the page cache.
	reserveMiB = 1024
)

// host is what this machine offers the node containers.
type host struct {
	cores                  int
	totalMiB, availableMiB int64
}

// readHost reads the host's cores and memory (/proc/meminfo: the kind
// nodes share the host's kernel and report its totals).
func readHost() (host, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return host{}, fmt.Errorf("kind: this host's memory: %w", err)
	}
	h, err := parseMeminfo(b)
	h.cores = runtime.NumCPU()
	return h, err
}

// parseMeminfo reads MemTotal and MemAvailable (kB) from /proc/meminfo.
func parseMeminfo(b []byte) (host, error) {
	var h host
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, rest, _ := strings.Cut(sc.Text(), ":")
		var dst *int64
		switch key {
		case "MemTotal":
			dst = &h.totalMiB
		case "MemAvailable":
			dst = &h.availableMiB
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return host{}, fmt.Errorf("kind: /proc/meminfo %s %q: %w", key, rest, err)
		}
		*dst = kb / 1024
	}
	if h.totalMiB <= 0 || h.availableMiB <= 0 {
		return host{}, fmt.Errorf("kind: /proc/meminfo lacks MemTotal or MemAvailable")
	}
	return h, nil
}

// pool is the most the cluster will run at once: node containers (the
// control plane and the system worker included) and rooms.
type pool struct{ nodes, rooms int }

// fits refuses, with the numbers, a pool this host cannot start: its
// nodes' and rooms' memory past what is available now, or more nodes
// than its cores keep idle.
func (h host) fits(p pool) error {
	need := controlPlaneMiB + int64(p.nodes-1)*workerMiB + int64(p.rooms)*roomMiB + reserveMiB
	if need > h.availableMiB {
		return fmt.Errorf("kind: the pool needs %d MiB and this host has %d MiB available: %d node containers (control plane %d MiB, workers %d MiB each) and %d rooms (%d MiB each), and %d MiB for the players; lower nodes.max or podsPerNode",
			need, h.availableMiB, p.nodes, controlPlaneMiB, workerMiB, p.rooms, roomMiB, reserveMiB)
	}
	if most := h.cores * nodesPerCore; p.nodes > most {
		return fmt.Errorf("kind: the pool needs %d node containers and this host's %d cores idle at most %d (%d per core); lower nodes.max",
			p.nodes, h.cores, most, nodesPerCore)
	}
	return nil
}

// largestPool is the most the cluster runs: the control plane, the
// system worker and the room nodes at the pool's maximum where Karpenter
// adds nodes, else the static ones, each full of rooms.
func (c *Cluster) largestPool() pool {
	rooms := c.staticRoomNodes()
	if c.autoscales() {
		rooms = c.opts.Spec.Nodes.Max
	}
	return pool{nodes: 2 + rooms, rooms: rooms * c.opts.Spec.Nodes.PodsPerNode}
}
