package results

import (
	"strings"
	"testing"

	"github.com/fleetbench/fleetbench/internal/testkit"
)

func TestValidateNamesTheField(t *testing.T) {
	t.Parallel()
	good := NewHistogram()
	good.Record(1.5)
	enc, err := good.Encode()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, json, says string
	}{
		{"no source", `{"meta":{}}`, "meta.source"},
		{"negative counter", `{"meta":{"source":"measured"},"counters":{"players":-3}}`, "counters.players is -3"},
		{"unordered percentiles", `{"meta":{"source":"model"},"metrics":{"connect":{"count":2,"p50":3,"p90":1}}}`, "metrics.connect: min ≤ p50"},
		{"negative latency", `{"meta":{"source":"model"},"metrics":{"connect":{"count":2,"mean":-1}}}`, "metrics.connect: -1"},
		{"negative cost", `{"meta":{"source":"model"},"cost":{"money":-2}}`, "cost.money is -2"},
		{"negative series point", `{"meta":{"source":"model"},"series":{"step":"1s","nodes":[1,-2]}}`, "series.nodes[1] is -2"},
		{"too many series points", `{"meta":{"source":"model"},"series":{"step":"1s","nodes":[` + strings.Repeat("1,", MaxPoints) + `1]}}`, "series.nodes has 2001 points"},
		{"huge histogram geometry", `{"meta":{"source":"model"},"metrics":{"connect":{"count":1,"hdr":"` + testkit.HDR(1, 1<<62, 5) + `"}}}`, "metrics.connect: hdr: geometry (lowest 1, highest 4611686018427387904, 5 digits)"},
		{"histogram not base64", `{"meta":{"source":"model"},"metrics":{"connect":{"count":1,"hdr":"%%%"}}}`, "metrics.connect: hdr: not base64"},
		{"negative calibration", `{"meta":{"source":"measured"},"calibration":{"join":{"seconds":-1}}}`, "calibration.join"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Unmarshal([]byte(c.json))
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %v, want one saying %q", err, c.says)
			}
		})
	}
	ok := `{"meta":{"source":"model"},"metrics":{"connect":{"count":1,"min":1.5,"p50":1.5,"p90":1.5,"p95":1.5,"p99":1.5,"p999":1.5,"max":1.5,"mean":1.5,"hdr":"` + enc + `"}},"series":{"step":"1s","time_to_room_p50":[-1,2]}}`
	if _, err := Unmarshal([]byte(ok)); err != nil {
		t.Errorf("a run fleetbench writes is refused: %v", err)
	}
}

// Counters stay within 2^53: exact in float64 (ratios, JSON readers) and
// never near int64's end, where a sum of two wraps negative.
func TestValidateBoundsCounters(t *testing.T) {
	t.Parallel()
	run := func(counters string) string { return `{"meta":{"source":"model"},"counters":{` + counters + `}}` }
	if _, err := Unmarshal([]byte(run(`"players":9007199254740992`))); err != nil {
		t.Errorf("a counter of 2^53 is refused: %v", err)
	}
	for _, c := range []struct{ counters, says string }{
		{`"players":9007199254740993`, "counters.players is 9007199254740993, must be ≥ 0 and at most 2^53"},
		{`"recoveries_ok":9223372036854775807,"recoveries_failed":1`, "counters.recoveries_ok is 9223372036854775807"},
	} {
		if _, err := Unmarshal([]byte(run(c.counters))); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want one saying %q", c.counters, err, c.says)
		}
	}
	// Past int64, encoding/json itself refuses the file, naming only
	// "Run.counters"; namedCounter names the counter.
	for _, c := range []struct{ counters, says string }{
		{`"players":1,"matches":18446744073709551615`, "counters.matches is 18446744073709551615, must be an integer ≥ 0 and at most 2^53"},
		{`"nodes_added":1e19`, "counters.nodes_added is 1e19"},
		{`"players":1.5`, "counters.players is 1.5"},
	} {
		data := []byte(run(c.counters))
		_, err := Unmarshal(data)
		if err == nil {
			t.Fatalf("%s: no error", c.counters)
		}
		if got := namedCounter(data, err); !strings.Contains(got.Error(), c.says) || !strings.Contains(got.Error(), err.Error()) {
			t.Errorf("%s: namedCounter = %v, want %q and the decoder's error", c.counters, got, c.says)
		}
	}
	other := []byte(`{"meta":{"source":1}}`)
	if _, err := Unmarshal(other); namedCounter(other, err) != err {
		t.Errorf("namedCounter changed an error not about counters: %v", namedCounter(other, err))
	}
}

func TestValidateBoundsVerdicts(t *testing.T) {
	t.Parallel()
	data := `{"meta":{"source":"model"},"verdicts":[` + strings.Repeat(`{"slo":"x"},`, maxVerdicts) + `{"slo":"x"}]}`
	if _, err := Unmarshal([]byte(data)); err == nil || !strings.Contains(err.Error(), "1001 verdicts, more than a run holds (1000)") {
		t.Errorf("error %v", err)
	}
}
