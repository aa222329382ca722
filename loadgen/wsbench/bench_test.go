package wsbench

import (
	"encoding/json"
	"fmt"
	"github.com/fleetbench/fleetbench/internal/procstat"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Sizes of the comparison. k6 needs ~140 KB per VU on top of a ~40 MB base,
// so it runs fewer sessions; 1,500 keeps its base from dominating
// (FLEETBENCH_K6_VUS overrides it).
const (
	ourSessions  = 50_000
	k6Sessions   = 1_500
	holdInterval = 10 * time.Second // between inputs while sessions are held for memory
	cpuSessions  = 500
	cpuInterval  = 500 * time.Millisecond // 500 sessions × 2/s = 1,000 messages/s each way
	cpuWindow    = 15 * time.Second
	perProcess   = 17_000 // sessions per process of ours
)

// side is one load generator under measurement.
type side struct {
	name  string
	start func(count int, interval time.Duration) []*child
}

// held is what a side held: sessions (as the target counts them) and
// the generator's resident memory.
type held struct {
	sessions int64
	rss      int64
}

// cpu is a side's CPU time for a number of echoed messages.
type cpu struct {
	used     time.Duration
	messages int64
}

// BenchmarkVsK6 holds sessions against the echo target with fleetbench's
// session code and with k6 v1.8.1 running k6.js, one after the other, and
// reports sessions per GB of RSS and CPU per 1,000 messages for each,
// and their ratios. Run by `make bench-loadgen`.
func BenchmarkVsK6(b *testing.B) {
	k6 := os.Getenv("K6")
	if k6 == "" {
		b.Skip("K6 (the k6 binary) not set: make bench-loadgen installs k6 v1.8.1 and sets it")
	}
	k6VUs := k6Sessions
	if v, err := strconv.Atoi(os.Getenv("FLEETBENCH_K6_VUS")); err == nil && v > 0 {
		k6VUs = v
	}
	// The sessions are spread over processes of at most perProcess each:
	// a container may cap a process's open files (here: 20,000, hard)
	// whatever root asks. Each process has its own echo target, on its
	// own loopback address (its own range of source ports).
	var urls, counts []string
	for i := range (ourSessions + perProcess - 1) / perProcess {
		t := startRole(b, "target", fmt.Sprintf("IP=127.0.0.%d", i+1))
		t.out.Scan()
		urls = append(urls, t.out.Text())
		t.out.Scan()
		counts = append(counts, t.out.Text())
	}
	ours := side{"fleetbench", func(n int, every time.Duration) []*child {
		var cs []*child
		for i := 0; n > 0; i++ {
			k := min(n, perProcess)
			n -= k
			cs = append(cs, startRole(b, "sessions", "URLS="+urls[i], fmt.Sprintf("COUNT=%d", k), "INTERVAL="+every.String()))
		}
		return cs
	}}
	script, _ := filepath.Abs("k6.js")
	theirs := side{"k6", func(n int, every time.Duration) []*child {
		cmd := exec.Command(k6, "run", "--quiet", "--no-summary", "--no-usage-report", script)
		cmd.Env = append(os.Environ(), "URLS="+strings.Join(urls, ","), fmt.Sprintf("VUS=%d", n), fmt.Sprintf("INTERVAL_MS=%d", every.Milliseconds()), "DURATION=30m")
		cmd.Stdout = io.Discard
		return []*child{start(b, cmd)}
	}}
	for range b.N {
		mOurs := hold(b, ours, ourSessions, counts)
		mK6 := hold(b, theirs, k6VUs, counts)
		cOurs := burn(b, ours, counts)
		cK6 := burn(b, theirs, counts)
		perGB := func(h held) float64 { return float64(h.sessions) / (float64(h.rss) / (1 << 30)) }
		perK := func(c cpu) float64 { return float64(c.used.Milliseconds()) / (float64(c.messages) / 1000) }
		b.ReportMetric(float64(mOurs.sessions), "sessions_held")
		b.ReportMetric(perGB(mOurs), "sessions/GB")
		b.ReportMetric(perGB(mK6), "k6_sessions/GB")
		b.ReportMetric(perGB(mOurs)/perGB(mK6), "x_k6_sessions/GB")
		b.ReportMetric(perK(cOurs), "cpu_ms/1k_msgs")
		b.ReportMetric(perK(cK6), "k6_cpu_ms/1k_msgs")
		b.ReportMetric(perK(cK6)/perK(cOurs), "x_less_cpu_than_k6")
		b.Logf("fleetbench: %d sessions in %.0f MiB RSS; k6: %d in %.0f MiB; CPU per 1,000 messages: %.1f ms vs k6 %.1f ms",
			mOurs.sessions, float64(mOurs.rss)/(1<<20), mK6.sessions, float64(mK6.rss)/(1<<20), perK(cOurs), perK(cK6))
	}
}

// hold opens n sessions, waits until the target holds them all (or stops
// gaining for 20 s), lets them idle 5 s, and reads the generator's RSS.
func hold(b *testing.B, s side, n int, counts []string) held {
	b.Helper()
	cs := s.start(n, holdInterval)
	best, since := int64(0), time.Now()
	for time.Since(since) < 20*time.Second {
		open := total(b, counts).Open
		if open >= int64(n) {
			break
		}
		if open > best {
			best, since = open, time.Now()
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(5 * time.Second)
	h := held{sessions: total(b, counts).Open}
	for _, c := range cs {
		rss, err := procstat.RSS(c.cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		h.rss += rss
	}
	stop(cs)
	drain(b, counts)
	if h.sessions < int64(n) {
		b.Logf("%s held %d of %d sessions", s.name, h.sessions, n)
	}
	return h
}

// burn holds cpuSessions sending 1,000 messages/s in all and measures the
// generator's CPU over cpuWindow, against the messages the target echoed.
func burn(b *testing.B, s side, counts []string) cpu {
	b.Helper()
	cs := s.start(cpuSessions, cpuInterval)
	deadline := time.Now().Add(time.Minute)
	for total(b, counts).Open < cpuSessions && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // past connecting: the steady state only
	used := func() time.Duration {
		var sum time.Duration
		for _, c := range cs {
			t, err := procstat.CPU(c.cmd.Process.Pid)
			if err != nil {
				b.Fatal(err)
			}
			sum += t
		}
		return sum
	}
	cpu0, e0 := used(), total(b, counts).Echoed
	time.Sleep(cpuWindow)
	cpu1, e1 := used(), total(b, counts).Echoed
	stop(cs)
	drain(b, counts)
	return cpu{used: cpu1 - cpu0, messages: e1 - e0}
}

func stop(cs []*child) {
	for _, c := range cs {
		c.stop()
	}
}

// total sums the targets' counts.
func total(b *testing.B, urls []string) Counts {
	var sum Counts
	for _, u := range urls {
		c := countOf[Counts](b, u)
		sum.Open += c.Open
		sum.Echoed += c.Echoed
	}
	return sum
}

// countOf reads a target's /count answer (Counts or StreamCounts).
func countOf[C any](b *testing.B, url string) C {
	b.Helper()
	var c C
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		b.Fatal(err)
	}
	return c
}

// drain waits for the targets to see every session of a side closed.
func drain(b *testing.B, urls []string) {
	deadline := time.Now().Add(time.Minute)
	for total(b, urls).Open > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
}
