package results

import (
	"testing"
	"time"
)

func TestStorms(t *testing.T) {
	r := &Run{
		Series: Series{Step: 10 * time.Second, Values: map[string][]float64{
			// 10 s steps: a background reconnect at 20 s, a storm 60–90 s, another at 150 s.
			SeriesReconnects: {0, 0, 0.1, 0, 0, 0, 2, 3, 1, 0, 0, 0, 0, 0, 0, 0.5, 0},
		}},
		Events: []Event{{At: "1m0s", Kind: "rollingDeploy"}, {At: "1m50s", Kind: "scaleUp"}, {At: "2m30s", Kind: "crash"}},
	}
	storms, before := Storms(r)
	if before != 1 {
		t.Errorf("background reconnects %v, want 1", before)
	}
	if len(storms) != 2 {
		t.Fatalf("storms %+v: want one per disruption (scale-ups are not)", storms)
	}
	if s := storms[0]; s.Peak != 3 || s.Reconnects != 60 || s.Duration != 30*time.Second {
		t.Errorf("deploy storm %+v: want peak 3/s, 60 reconnects over 30 s", s)
	}
	if s := storms[1]; s.Peak != 0.5 || s.Reconnects != 5 || s.Duration != 10*time.Second {
		t.Errorf("crash storm %+v", s)
	}
}
