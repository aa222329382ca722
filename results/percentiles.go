package results

import (
	"math"
	"time"
)

// Series of a latency's percentiles over time (seconds per step; -1 for
// a step in which no sample fell).
const (
	SeriesTimeToRoomP50 = "time_to_room_p50"
	SeriesTimeToRoomP99 = "time_to_room_p99"
)

// Buckets of StepPercentiles: 4% wide from 1 ms, plus one for below.
const (
	stepBucketBase  = 0.001
	stepBucketRatio = 1.04
	stepBuckets     = 402 // up to ~1.8 h; longer values land in the last
)

// StepPercentiles records a latency per series step in coarse log
// buckets (±2%), so percentiles over time cost a few kilobytes per step
// instead of an HdrHistogram each. Steps are allocated as samples arrive.
type StepPercentiles struct {
	step     float64
	logRatio float64 // log(stepBucketRatio), once: Record is on the model's hot path
	counts   [][]uint32
}

// NewStepPercentiles records in steps of step.
func NewStepPercentiles(step time.Duration) *StepPercentiles {
	return &StepPercentiles{step: step.Seconds(), logRatio: math.Log(stepBucketRatio)}
}

// Record adds a sample of seconds at time at (seconds from the start).
func (p *StepPercentiles) Record(at, seconds float64) {
	i := int(at / p.step)
	if i < 0 {
		return
	}
	for len(p.counts) <= i {
		p.counts = append(p.counts, nil)
	}
	if p.counts[i] == nil {
		p.counts[i] = make([]uint32, stepBuckets)
	}
	p.counts[i][p.bucket(seconds)]++
}

func (p *StepPercentiles) bucket(v float64) int {
	if v < stepBucketBase {
		return 0
	}
	b := 1 + int(math.Log(v/stepBucketBase)/p.logRatio)
	return min(b, stepBuckets-1)
}

// stepValue is a bucket's representative value (its geometric middle).
func stepValue(b int) float64 {
	if b == 0 {
		return 0
	}
	return stepBucketBase * math.Pow(stepBucketRatio, float64(b-1)+0.5)
}

// Series is the q-quantile of each step, rounded to the millisecond, for
// points steps (-1 where a step has no sample).
func (p *StepPercentiles) Series(q float64, points int) []float64 {
	out := make([]float64, points)
	for i := range out {
		out[i] = -1
		if i >= len(p.counts) || p.counts[i] == nil {
			continue
		}
		total := uint32(0)
		for _, c := range p.counts[i] {
			total += c
		}
		target := uint32(math.Ceil(q * float64(total)))
		seen := uint32(0)
		for b, c := range p.counts[i] {
			if seen += c; seen >= max(target, 1) {
				out[i] = math.Round(stepValue(b)*1000) / 1000
				break
			}
		}
	}
	return out
}

// Points is the number of steps that hold samples or precede one.
func (p *StepPercentiles) Points() int { return len(p.counts) }
