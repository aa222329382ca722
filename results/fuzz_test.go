package results

import (
	"os"
	"testing"
)

// Runs are read back by reports and compare: a damaged file must give an
// error, and a decoded one must summarize without panicking.
func FuzzReadRun(f *testing.F) {
	if data, err := os.ReadFile("../reports/testdata/node-loss.model.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"meta":{"source":"model"},"series":{"step":"1s","x":[1,2]},"metrics":{"time_to_room":{"hdr":"HISTFAAAAB"}}}`))
	f.Add([]byte(`{"meta":{"source":"measured"},"counters":{"players":-1}}`))
	f.Add([]byte(`{"meta":{"source":"model"},"metrics":{"x":{"count":1,"p50":2,"p99":1}}}`))
	f.Add([]byte(`{"meta":{"source":"model"},"events":[{"at":"1m30.5s","kind":"crash"},{"at":"-1s"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Unmarshal(data)
		if err != nil {
			return
		}
		for name := range r.Metrics {
			if h, err := r.Histogram(name); err == nil {
				_ = h.Metric()
			}
		}
		_, _ = Marshal(r)
		// An event time read is one its text form gives back.
		for i, ev := range r.Events {
			if back, err := ParseOffset(ev.At.String()); err != nil || back != ev.At {
				t.Fatalf("events[%d].at %d writes as %q, which reads as %d, %v", i, ev.At, ev.At, back, err)
			}
		}
	})
}
