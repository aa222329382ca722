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
