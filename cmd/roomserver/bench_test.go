package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/stack/client"
)

// rssKiB reads a process's resident set from /proc.
func rssKiB(b *testing.B, pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// BenchmarkMemoryPerPlayer: the room server's RSS growth per connected,
// joined player (2,000 of them in one room, between ticks).
func BenchmarkMemoryPerPlayer(b *testing.B) {
	rs := redistest.Start(&testing.T{})
	defer rs.Stop()
	bin, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	const n = 2000
	addr := "127.0.0.1:" + strconv.Itoa(freePort(b))
	cmd := exec.Command(bin, "--listen", addr, "--room", "big", "--redis", rs.Addr, "--capacity", strconv.Itoa(n), "--tick", "1h")
	cmd.Env = append(os.Environ(), "FLEETBENCH_TOKEN_KEY="+key)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitReady(b, addr)
	before := rssKiB(b, cmd.Process.Pid)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	players := make([]*client.Player, n)
	for i := range players {
		players[i] = &client.Player{}
		if err := players[i].Join(ctx, "ws://"+addr+"/ws", tokenFor("big", fmt.Sprintf("p%d", i))); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(time.Second)
	after := rssKiB(b, cmd.Process.Pid)
	b.ReportMetric(float64(after-before)*1024/n, "bytes/player")
	b.ReportMetric(float64(after)/1024, "MiB-rss")
}
