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
	})
}
