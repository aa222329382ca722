// Package guard is a real run's check on itself: it samples the load
// generator's process and its host while the players play (CPU, the Go
// scheduler's latency, the host's CPU pressure and steal) and judges, with
// the players' own lateness, whether the harness rather than the system
// under test was the limit.
package guard

import (
	"context"
	"github.com/fleetbench/fleetbench/internal/procstat"
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
	procs int // GOMAXPROCS: what this process may use

	mu      sync.Mutex
	samples int
	cpu     time.Duration // this process's CPU time over the samples
	wall    time.Duration
	psi0    time.Duration // /proc/pressure/cpu "some" total at the start
	psi     time.Duration // and at the last sample
	psiWall time.Duration // wall time between the two
	psiOK   bool
	started time.Time
	stealOK bool
	first   hostTimes
	last    hostTimes
	sched0  *metrics.Float64Histogram
}

// hostTimes is /proc/stat's aggregate cpu line.
type hostTimes struct{ total, steal uint64 }

// NewSampler reads the starting points; Run samples.
func NewSampler() *Sampler {
	s := &Sampler{procs: runtime.GOMAXPROCS(0), sched0: schedLatencies(), started: time.Now()}
	s.first, s.stealOK = readHostTimes()
	s.psi0, s.psiOK = cpuPressure()
	return s
}

// Run samples every second until ctx ends.
func (s *Sampler) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	cpu0, _ := procstat.CPU(os.Getpid())
	at := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			cpu, err := procstat.CPU(os.Getpid())
			psi, psiOK := cpuPressure()
			host, hostOK := readHostTimes()
			s.mu.Lock()
			if err == nil {
				s.cpu += cpu - cpu0
				s.wall += now.Sub(at)
			}
			if psiOK && s.psiOK {
				s.psi, s.psiWall = psi, now.Sub(s.started)
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
	CPUShare float64 // this process's mean CPU over what GOMAXPROCS lets it use
	// CPUPressure is the share of wall time some task on the host waited
	// for a CPU (Linux's pressure stall information).
	CPUPressure  float64
	Steal        float64 // the fraction of the host's CPU time stolen by its hypervisor
	SchedP99     float64 // seconds a runnable goroutine waited for a CPU, p99
	HavePressure bool
	HaveSteal    bool
	HaveSample   bool
	// HaveProcess: CPUShare and SchedP99 are the players' processes'
	// (this one's, or with workers the busiest worker's: see Workers).
	HaveProcess bool
}

// Process is one player process's own figures: what a worker sends the
// CLI in its status, for the CLI's check.
type Process struct {
	CPUShare float64 `json:"cpuShare"`
	SchedP99 float64 `json:"schedP99"`
}

// Process returns this process's own figures so far (ok: sampled once).
func (s *Sampler) Process() (Process, bool) {
	f := s.Figures()
	return Process{CPUShare: f.CPUShare, SchedP99: f.SchedP99}, f.HaveSample
}

// Workers replaces this process's figures with the players' processes':
// the worst of each over the workers, since one queueing worker delays
// its share of the players. With none reported, there are none.
func (f Figures) Workers(ps []Process) Figures {
	f.HaveProcess, f.CPUShare, f.SchedP99 = len(ps) > 0, 0, 0
	for _, p := range ps {
		f.CPUShare, f.SchedP99 = max(f.CPUShare, p.CPUShare), max(f.SchedP99, p.SchedP99)
	}
	return f
}

// Figures returns the figures so far.
func (s *Sampler) Figures() Figures {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := Figures{HaveSample: s.samples > 0 && s.wall > 0, SchedP99: schedP99(s.sched0, schedLatencies()), HaveProcess: true}
	if f.HaveSample {
		f.CPUShare = s.cpu.Seconds() / s.wall.Seconds() / float64(s.procs)
	}
	if s.psiWall > 0 {
		f.HavePressure, f.CPUPressure = true, float64(s.psi-s.psi0)/float64(s.psiWall)
	}
	if s.stealOK && s.last.total > s.first.total {
		f.HaveSteal = true
		f.Steal = float64(s.last.steal-s.first.steal) / float64(s.last.total-s.first.total)
	}
	return f
}

// cpuPressure is the host's total time some task waited for a CPU
// (/proc/pressure/cpu, "some ... total=" in microseconds). The run
// queue's length (procs_running) is not used: kernel threads keep it
// near 2 on an idle 2-core VM.
func cpuPressure() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	_, total, ok := strings.Cut(line, "total=")
	if !strings.HasPrefix(line, "some ") || !ok {
		return 0, false
	}
	us, err := strconv.ParseInt(strings.TrimSpace(total), 10, 64)
	return time.Duration(us) * time.Microsecond, err == nil
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
