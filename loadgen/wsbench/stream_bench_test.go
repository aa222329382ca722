package wsbench

import (
	"fmt"
	"github.com/fleetbench/fleetbench/internal/procstat"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The state-stream comparison: sessions of a game whose rooms push their
// whole state 20 times a second to matches of 50 (2.3 KB a state), an
// input every 10 s, as the worker issue's scale runs played.
const (
	streamPlayers  = 50
	streamTick     = 50 * time.Millisecond
	streamInterval = 10 * time.Second
	streamFew      = 50  // the first point of the memory slope
	streamMany     = 550 // the second: 500 more sessions (11,000 states/s)
	streamWindow   = 15 * time.Second
)

// streamSide holds n sessions against a target at urls.
type streamSide struct {
	name  string
	start func(urls []string, n int) []*child
}

// marginal is what a side's sessions cost at the margin.
type marginal struct {
	bytes   float64 // RSS per session, from streamFew to streamMany
	cpuPerK float64 // CPU ms per 1,000 states received at streamMany
	dropped int64   // sessions the target dropped for not reading
}

// BenchmarkStreamVsK6: the memory and CPU a session costs at the margin,
// (a) fleetbench's players against the echo target (an input every 10 s,
// nothing pushed), (b) fleetbench's players against the Stream target,
// (c) k6 v1.8.1 running k6-stream.js against it; with the ratios b/a (the
// cost of the message rate) and c/b. Run by `make bench-loadgen`.
func BenchmarkStreamVsK6(b *testing.B) {
	k6 := os.Getenv("K6")
	if k6 == "" {
		b.Skip("K6 (the k6 binary) not set: make bench-loadgen installs k6 v1.8.1 and sets it")
	}
	script, _ := filepath.Abs("k6-stream.js")
	ours := func(stream bool) func([]string, int) []*child {
		return func(urls []string, n int) []*child {
			env := []string{"URLS=" + urls[0], fmt.Sprintf("COUNT=%d", n), "INTERVAL=" + streamInterval.String()}
			if stream {
				env = append(env, "STREAM=1")
			}
			return []*child{startRole(b, "sessions", env...)}
		}
	}
	theirs := func(urls []string, n int) []*child {
		cmd := exec.Command(k6, "run", "--quiet", "--no-summary", "--no-usage-report", script)
		cmd.Env = append(os.Environ(), "URLS="+urls[0], fmt.Sprintf("VUS=%d", n), fmt.Sprintf("INTERVAL_MS=%d", streamInterval.Milliseconds()), "DURATION=30m")
		cmd.Stdout = io.Discard
		return []*child{start(b, cmd)}
	}
	echo := targetOf(b, "target")
	stream := targetOf(b, "stream", fmt.Sprintf("PLAYERS=%d", streamPlayers), "TICK="+streamTick.String())
	for range b.N {
		a := measure(b, streamSide{"fleetbench, echo", ours(false)}, echo)
		o := measure(b, streamSide{"fleetbench, stream", ours(true)}, stream)
		k := measure(b, streamSide{"k6, stream", theirs}, stream)
		b.ReportMetric(a.bytes/1024, "echo_KiB/session")
		b.ReportMetric(o.bytes/1024, "stream_KiB/session")
		b.ReportMetric(k.bytes/1024, "k6_stream_KiB/session")
		b.ReportMetric(o.bytes/a.bytes, "x_echo_memory")
		b.ReportMetric(k.bytes/o.bytes, "x_k6_memory")
		b.ReportMetric(o.cpuPerK, "stream_cpu_ms/1k_states")
		b.ReportMetric(k.cpuPerK, "k6_stream_cpu_ms/1k_states")
		b.ReportMetric(k.cpuPerK/o.cpuPerK, "x_less_cpu_than_k6")
		b.Logf("per session at the margin (%d→%d sessions): fleetbench echo %.1f KiB, stream %.1f KiB (%.2f× echo), k6 stream %.1f KiB; CPU per 1,000 states: %.1f ms vs k6 %.1f ms; dropped for not reading: fleetbench %d, k6 %d",
			streamFew, streamMany, a.bytes/1024, o.bytes/1024, o.bytes/a.bytes, k.bytes/1024, o.cpuPerK, k.cpuPerK, o.dropped, k.dropped)
	}
}

// targetOf starts a target role and returns its ws and /count URLs.
func targetOf(b *testing.B, role string, env ...string) []string {
	t := startRole(b, role, append(env, "IP=127.0.0.1")...)
	t.out.Scan()
	ws := t.out.Text()
	t.out.Scan()
	return []string{ws, t.out.Text()}
}

// measure holds streamFew, then streamMany sessions of a side (each until
// the target holds them all and 5 s more) and takes the slope of its RSS;
// at streamMany it also measures CPU per state the target wrote.
func measure(b *testing.B, s streamSide, urls []string) marginal {
	b.Helper()
	few, _, _ := holdStream(b, s, urls, streamFew, false)
	many, cpuPerK, dropped := holdStream(b, s, urls, streamMany, true)
	return marginal{bytes: float64(many-few) / (streamMany - streamFew), cpuPerK: cpuPerK, dropped: dropped}
}

func holdStream(b *testing.B, s streamSide, urls []string, n int, burn bool) (rss int64, cpuPerK float64, dropped int64) {
	cs := s.start(urls, n)
	deadline := time.Now().Add(time.Minute)
	c0 := streamCount(b, urls[1])
	for streamCount(b, urls[1]).Open < int64(n) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(5 * time.Second)
	pid := cs[0].cmd.Process.Pid
	if burn {
		cpu0, e0 := cpuOf(b, pid), streamCount(b, urls[1]).Sent
		time.Sleep(streamWindow)
		cpu1, e1 := cpuOf(b, pid), streamCount(b, urls[1]).Sent
		if e1 > e0 {
			cpuPerK = float64((cpu1 - cpu0).Milliseconds()) / (float64(e1-e0) / 1000)
		}
	}
	rss, err := procstat.RSS(pid)
	if err != nil {
		b.Fatal(err)
	}
	held := streamCount(b, urls[1])
	if held.Open < int64(n) {
		b.Logf("%s held %d of %d sessions", s.name, held.Open, n)
	}
	stop(cs)
	deadline = time.Now().Add(time.Minute)
	for streamCount(b, urls[1]).Open > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	return rss, cpuPerK, held.Dropped - c0.Dropped
}

func cpuOf(b *testing.B, pid int) time.Duration {
	t, err := procstat.CPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	return t
}

func streamCount(b *testing.B, url string) StreamCounts { return countOf[StreamCounts](b, url) }
