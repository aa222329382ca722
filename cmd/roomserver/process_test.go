package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/redistest"
	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
)

var key = "0123456789abcdef-process-test"

// buildRoomServer builds this command once per test binary.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "roomserver-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "roomserver")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

type proc struct {
	room, url string
	cmd       *exec.Cmd
}

func startRoomServer(t *testing.T, redisAddr, room string, capacity int) *proc {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + fmt.Sprint(freePort(t))
	cmd := exec.Command(bin, "--listen", addr, "--room", room, "--redis", redisAddr, "--window", "2m",
		"--capacity", fmt.Sprint(capacity), "--tick", "100ms", "--grace", "10s", "--retry-after", "200ms")
	cmd.Env = append(os.Environ(), "FLEETBENCH_TOKEN_KEY="+key)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitReady(t, addr)
	return &proc{room: room, url: "ws://" + addr + "/ws", cmd: cmd}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitReady(t testing.TB, addr string) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, "the room server on "+addr+" to be ready", func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func tokenFor(room, player string) string {
	return wire.Sign([]byte(key), wire.Claims{Room: room, Player: player, Match: "m", Expiry: time.Now().Add(time.Minute).UnixMilli()})
}

// players joins n players to each room and plays `inputs` inputs each.
func players(t *testing.T, rooms []*proc, n, inputs int) [][]*client.Player {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := make([][]*client.Player, len(rooms))
	var wg sync.WaitGroup
	var failed atomic.Int64
	for r, rp := range rooms {
		out[r] = make([]*client.Player, n)
		for i := range n {
			p := &client.Player{}
			out[r][i] = p
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := p.Join(ctx, rp.url, tokenFor(rp.room, fmt.Sprintf("%s-p%d", rp.room, i)))
				for k := 0; err == nil && k < inputs; k++ {
					err = p.Input()
				}
				if err == nil {
					err = p.Await(ctx, uint64(inputs))
				}
				if err != nil {
					failed.Add(1)
					t.Logf("player %d of %s: %v", i, rp.room, err)
				}
			}()
		}
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d players could not join and play", failed.Load())
	}
	return out
}

// moveTo reconnects every player of groups[i] to rooms[i], all at once
// (a reconnect storm), and plays one more input; it returns how many came
// back with their state intact.
func moveTo(t *testing.T, groups [][]*client.Player, rooms []*proc, inputs int) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var ok, retries atomic.Int64
	var wg sync.WaitGroup
	for i, group := range groups {
		for _, p := range group {
			wg.Add(1)
			go func() {
				defer wg.Done()
				move(t, ctx, &ok, &retries, p, rooms[i], inputs)
			}()
		}
	}
	wg.Wait()
	t.Logf("%d reconnects retried", retries.Load())
	return ok.Load()
}

func move(t *testing.T, ctx context.Context, ok, retries *atomic.Int64, p *client.Player, to *proc, inputs int) {
	var err error
	// A player retries what a player would, until the test's deadline: a
	// store that was slow (unavailable, told before or after seating) or
	// a server too busy to answer. A lost or doubled input still fails on
	// Applied, and any other refusal is final.
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			retries.Add(1)
			time.Sleep(200 * time.Millisecond)
		}
		if err = p.Reconnect(ctx, to.url, tokenFor(to.room, p.ID)); err == nil {
			if p.Sent < uint64(inputs+1) { // else Reconnect resent it
				err = p.Input()
			}
			if err == nil {
				err = p.Await(ctx, uint64(inputs+1))
			}
		}
		if err == nil || !retryable(err) || ctx.Err() != nil {
			break
		}
		p.Conn.Drop()
	}
	if err == nil && p.Applied() == uint64(inputs+1) {
		ok.Add(1)
		return
	}
	t.Logf("player %s: %v (applied %d)", p.ID, err, p.Applied())
}

// retryable: any failure but a room's refusal, which is final unless the
// session store was unavailable.
func retryable(err error) bool {
	var refused *client.RefusedError
	if errors.As(err, &refused) {
		return refused.Msg.Code == wire.CodeUnavailable
	}
	return true
}

// TestKilledRoomServersSessionsRecover: SIGKILL mid-game loses nothing
// acknowledged: ≥ 99.9% of sessions resume elsewhere with their inputs.
func TestKilledRoomServersSessionsRecover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	rs := redistest.Start(t)
	// 1,000 sessions in rooms of 50: the test needs 0.1% resolution.
	const rooms, per, inputs = 20, 50, 3
	var as, bs []*proc
	for i := range rooms {
		as = append(as, startRoomServer(t, rs.Addr, fmt.Sprintf("a%d", i), per))
		bs = append(bs, startRoomServer(t, rs.Addr, fmt.Sprintf("b%d", i), per))
	}
	groups := players(t, as, per, inputs)
	for _, a := range as {
		a.cmd.Process.Signal(syscall.SIGKILL)
	}
	recovered := moveTo(t, groups, bs, inputs)
	total := int64(rooms * per)
	t.Logf("%d of %d sessions recovered after SIGKILL", recovered, total)
	if float64(recovered) < 0.999*float64(total) {
		t.Errorf("%d of %d sessions recovered: want ≥ 99.9%%", recovered, total)
	}
}

// TestSIGTERMDrainsWithinGrace: every player is told to go, the process
// exits within its grace period, and every session resumes elsewhere.
func TestSIGTERMDrainsWithinGrace(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	rs := redistest.Start(t)
	a := startRoomServer(t, rs.Addr, "a", 4)
	b := startRoomServer(t, rs.Addr, "b", 4)
	group := players(t, []*proc{a}, 4, 5)[0]
	start := time.Now()
	a.cmd.Process.Signal(syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, p := range group {
		m, err := p.Conn.Next(ctx, wire.TypeError)
		if err != nil || m.Code != wire.CodeDraining || m.RetryAfterMs != 200 {
			t.Fatalf("%s at SIGTERM: %+v, %v", p.ID, m, err)
		}
	}
	if err := a.cmd.Wait(); err != nil {
		t.Errorf("room server exit: %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("drain took %s, over the 10 s grace", took)
	}
	if n := moveTo(t, [][]*client.Player{group}, []*proc{b}, 5); n != 4 {
		t.Errorf("%d of 4 players resumed in room b", n)
	}
}
