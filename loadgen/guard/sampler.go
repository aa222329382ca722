// Package guard is a real run's check on itself: it samples the load
// generator's process and its host while the players play (CPU, the Go
// scheduler's latency, the host's run queue and steal) and judges, with
// the players' own lateness, whether the harness rather than the system
// under test was the limit.
package guard

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sampler samples once a second until its context ends.
type Sampler struct {
	cores int // the host's online CPUs
	procs int // GOMAXPROCS: what this process may use

	mu      sync.Mutex
	samples int
	cpu     time.Duration // this process's CPU time over the samples
	wall    time.Duration
	runq    float64 // sum of runnable threads beyond the cores, per core
	runqOK  bool
	steal   float64 // host jiffies stolen over all jiffies
	stealOK bool
	first   hostTimes
	last    hostTimes
	sched0  *metrics.Float64Histogram
}

// hostTimes is /proc/stat's aggregate cpu line.
type hostTimes struct{ total, steal uint64 }

// NewSampler reads the starting points; Run samples.
func NewSampler() *Sampler {
	s := &Sampler{cores: runtime.NumCPU(), procs: runtime.GOMAXPROCS(0), sched0: schedLatencies()}
	s.first, s.stealOK = readHostTimes()
	return s
}

// Run samples every second until ctx ends.
func (s *Sampler) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	cpu0, _ := processCPU()
	at := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			cpu, err := processCPU()
			running, rqErr := runnable()
			host, hostOK := readHostTimes()
			s.mu.Lock()
			if err == nil {
				s.cpu += cpu - cpu0
				s.wall += now.Sub(at)
			}
			if rqErr == nil {
				s.runq += float64(running) / float64(s.cores)
				s.runqOK = true
			}
			if hostOK {
				s.last = host
			}
			s.samples++
			s.mu.Unlock()
			cpu0, at = cpu, now
		}
	}
}

// Figures are what the sampler saw, for Judge.
type Figures struct {
	CPUShare   float64 // this process's mean CPU over what GOMAXPROCS lets it use
	RunQueue   float64 // mean runnable threads per core on the host
	Steal      float64 // the fraction of the host's CPU time stolen by its hypervisor
	SchedP99   float64 // seconds a runnable goroutine waited for a CPU, p99
	HaveRunQ   bool
	HaveSteal  bool
	HaveSample bool
	// HaveProcess: CPUShare and SchedP99 are the players' process's (not
	// when the players ran as workers: then this process only watched).
	HaveProcess bool
}

// Figures returns the figures so far.
func (s *Sampler) Figures() Figures {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := Figures{HaveSample: s.samples > 0 && s.wall > 0, HaveRunQ: s.runqOK, SchedP99: schedP99(s.sched0, schedLatencies()), HaveProcess: true}
	if f.HaveSample {
		f.CPUShare = s.cpu.Seconds() / s.wall.Seconds() / float64(s.procs)
		f.RunQueue = s.runq / float64(s.samples)
	}
	if s.stealOK && s.last.total > s.first.total {
		f.HaveSteal = true
		f.Steal = float64(s.last.steal-s.first.steal) / float64(s.last.total-s.first.total)
	}
	return f
}

// processCPU is this process's user+system time (/proc/self/stat, in
// USER_HZ ticks of 10 ms).
func processCPU() (time.Duration, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/self/stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/self/stat: utime %q stime %q", f[11], f[12])
	}
	return time.Duration(u+k) * 10 * time.Millisecond, nil
}

// runnable is the host's threads running or ready to run
// (/proc/stat procs_running), this sampler's own included.
func runnable() (int, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "procs_running "); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("no procs_running in /proc/stat")
}

// readHostTimes reads the aggregate cpu line of /proc/stat: user nice
// system idle iowait irq softirq steal ...
func readHostTimes() (hostTimes, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return hostTimes{}, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return hostTimes{}, false
	}
	var t hostTimes
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return hostTimes{}, false
		}
		if i < 8 { // guest times are already counted in user and nice
			t.total += n
		}
		if i == 7 {
			t.steal = n
		}
	}
	return t, true
}
