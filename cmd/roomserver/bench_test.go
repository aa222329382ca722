package main

import (
	"context"
	"fmt"
	"github.com/fleetbench/fleetbench/internal/procstat"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/stack/client"
)

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
	before := rss(b, cmd.Process.Pid)
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
	after := rss(b, cmd.Process.Pid)
	b.ReportMetric(float64(after-before)/n, "bytes/player")
	b.ReportMetric(float64(after)/(1<<20), "MiB-rss")
}

func rss(b *testing.B, pid int) int64 {
	n, err := procstat.RSS(pid)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
