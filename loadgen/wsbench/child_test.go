package wsbench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The benchmark's processes are this test binary in a role, so that each
// side's memory and CPU are its own: the echo target, or our sessions.
const roleEnv = "FLEETBENCH_WSBENCH_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(roleEnv) {
	case "target":
		os.Exit(target())
	case "sessions":
		os.Exit(sessions())
	case "stream":
		os.Exit(streamTarget())
	}
	os.Exit(m.Run())
}

// raiseFiles lifts the open-file limit as far as the hard limit allows
// (further with CAP_SYS_RESOURCE).
func raiseFiles(n uint64) {
	lim := syscall.Rlimit{Cur: n, Max: n}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// untilStdinCloses is a context that ends when the parent goes away.
func untilStdinCloses() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	return ctx
}

// target listens on IP (its own source-port range for the clients) and
// prints its ws URL, then its /count URL.
func target() int {
	raiseFiles(200_000)
	ln, err := net.Listen("tcp", os.Getenv("IP")+":0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("ws://%s/ws\nhttp://%s/count\n", ln.Addr(), ln.Addr())
	NewEcho().Serve(untilStdinCloses(), ln)
	return 0
}

// streamTarget is a Stream of rooms of PLAYERS at TICK on IP; it prints
// its ws URL, then its /count URL.
func streamTarget() int {
	raiseFiles(200_000)
	players, _ := strconv.Atoi(os.Getenv("PLAYERS"))
	tick, err := time.ParseDuration(os.Getenv("TICK"))
	if err != nil || players <= 0 {
		fmt.Fprintln(os.Stderr, "stream: want PLAYERS > 0 and TICK")
		return 2
	}
	ln, err := net.Listen("tcp", os.Getenv("IP")+":0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("ws://%s/ws\nhttp://%s/count\n", ln.Addr(), ln.Addr())
	srv := &http.Server{Handler: NewStream(players, tick)}
	ctx := untilStdinCloses()
	context.AfterFunc(ctx, func() { srv.Close() })
	_ = srv.Serve(ln)
	return 0
}

// sessions holds COUNT sessions to URLS, an input every INTERVAL (as
// players of a Stream with STREAM=1).
func sessions() int {
	raiseFiles(200_000)
	count, _ := strconv.Atoi(os.Getenv("COUNT"))
	interval, err := time.ParseDuration(os.Getenv("INTERVAL"))
	if err != nil || count <= 0 {
		fmt.Fprintln(os.Stderr, "sessions: want COUNT > 0 and INTERVAL")
		return 2
	}
	s := &Sessions{URLs: strings.Split(os.Getenv("URLS"), ","), Count: count, Interval: interval, Dialing: 64, Stream: os.Getenv("STREAM") == "1"}
	s.Run(untilStdinCloses())
	return 0
}

// child is a running process of the benchmark.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
}

func start(tb testing.TB, cmd *exec.Cmd) *child {
	tb.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin}
	if cmd.Stdout == nil {
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			tb.Fatal(err)
		}
		c.out = bufio.NewScanner(stdout)
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.stop)
	return c
}

// startRole runs this binary in a role with env.
func startRole(tb testing.TB, role string, env ...string) *child {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), roleEnv+"="+role), env...)
	return start(tb, cmd)
}

// stop ends the child: stdin closed for ours, SIGINT for k6, then kill.
func (c *child) stop() {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.stdin.Close()
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}
