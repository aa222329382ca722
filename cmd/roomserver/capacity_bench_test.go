package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/procstat"
	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/stack/client"
)

// capacityWindow is how long each point's CPU is measured, after
// capacityWarmup with every player in.
const (
	capacityWindow = 10 * time.Second
	capacityWarmup = 2 * time.Second
)

// BenchmarkRoomCapacity: the stack's cost per session, by tick rate,
// players per room and state size: one room server process with a full
// room (real Redis), players in this process sending an input a second,
// the room server's and Redis's CPU measured over capacityWindow. It
// reports sessions per core (a full room's sessions over the cores the
// room server and Redis used) and the states sent per second. Run by
// `make bench-stack`.
func BenchmarkRoomCapacity(b *testing.B) {
	rs := redistest.Start(&testing.T{})
	defer rs.Stop()
	bin, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	for _, hz := range []int{10, 20, 60} {
		for _, players := range []int{4, 50} {
			for _, stateBytes := range []int{0, 8192} {
				b.Run(fmt.Sprintf("hz=%d/players=%d/state=%d", hz, players, stateBytes), func(b *testing.B) {
					for range b.N {
						roomCPU, redisCPU := capacityPoint(b, bin, rs, hz, players, stateBytes)
						perSession := (roomCPU + redisCPU).Seconds() / capacityWindow.Seconds() / float64(players)
						b.ReportMetric(1/perSession, "sessions/core")
						b.ReportMetric(roomCPU.Seconds()/capacityWindow.Seconds()*1000, "room_millicores")
						b.ReportMetric(redisCPU.Seconds()/capacityWindow.Seconds()*1000, "redis_millicores")
						b.ReportMetric(float64(hz*players), "states/s")
					}
				})
			}
		}
	}
}

// capacityPoint runs one full room and returns the CPU its room server
// and Redis used over capacityWindow.
func capacityPoint(b *testing.B, bin string, rs *redistest.Server, hz, players, stateBytes int) (room, redis time.Duration) {
	b.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(b))
	name := fmt.Sprintf("cap-%d-%d-%d-%d", hz, players, stateBytes, time.Now().UnixNano())
	cmd := exec.Command(bin, "--listen", addr, "--room", name, "--redis", rs.Addr, "--capacity", strconv.Itoa(players),
		"--tick", (time.Second / time.Duration(hz)).String(), "--state-bytes", strconv.Itoa(stateBytes))
	cmd.Env = append(os.Environ(), "FLEETBENCH_TOKEN_KEY="+key)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitReady(b, addr)
	ctx, cancel := context.WithCancel(context.Background())
	d := client.NewDialer()
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for i := range players {
		p := &client.Player{Dialer: d}
		if err := p.Join(ctx, "ws://"+addr+"/ws", tokenFor(name, fmt.Sprintf("p%d", i))); err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			defer p.Conn.Drop()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				if p.Input() != nil {
					return
				}
			}
		})
	}
	time.Sleep(capacityWarmup)
	cpu := func(pid int) time.Duration {
		t, err := procstat.CPU(pid)
		if err != nil {
			b.Fatal(err)
		}
		return t
	}
	room0, redis0 := cpu(cmd.Process.Pid), cpu(rs.Pid())
	time.Sleep(capacityWindow)
	return cpu(cmd.Process.Pid) - room0, cpu(rs.Pid()) - redis0
}
