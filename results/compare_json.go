package results

import (
	"encoding/json"
	"fmt"
	"math"
)

// jsonFloat is a float as compare's JSON writes it: a number when
// finite, the string "+Inf" or "-Inf" when not (encoding/json refuses
// infinities, and a change from a zero baseline is one), null for NaN
// (which compare never produces; refusing the whole file for it would
// hide every other row).
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	switch v := float64(f); {
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	case math.IsNaN(v):
		return []byte("null"), nil
	default:
		return json.Marshal(v)
	}
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"+Inf"`:
		*f = jsonFloat(math.Inf(1))
		return nil
	case `"-Inf"`:
		*f = jsonFloat(math.Inf(-1))
		return nil
	case "null":
		*f = jsonFloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("want a number, \"+Inf\" or \"-Inf\": %w", err)
	}
	*f = jsonFloat(v)
	return nil
}

// deltaJSON is Delta on the wire, field for field in Delta's order.
type deltaJSON struct {
	Name     string    `json:"name"`
	Baseline jsonFloat `json:"baseline"`
	Current  jsonFloat `json:"current"`
	Change   jsonFloat `json:"change"`
	Low      jsonFloat `json:"low"`
	High     jsonFloat `json:"high"`
	Relative bool      `json:"relative"`
	KS       jsonFloat `json:"ks,omitempty"`
	W1       jsonFloat `json:"w1,omitempty"`
	P        jsonFloat `json:"p"`
	Verdict  string    `json:"verdict"`
	Worse    bool      `json:"worse,omitempty"`
	Note     string    `json:"note,omitempty"`
}

// MarshalJSON writes a row with infinite changes as "+Inf" (jsonFloat).
func (d Delta) MarshalJSON() ([]byte, error) {
	return json.Marshal(deltaJSON{Name: d.Name, Baseline: jsonFloat(d.Baseline), Current: jsonFloat(d.Current),
		Change: jsonFloat(d.Change), Low: jsonFloat(d.Low), High: jsonFloat(d.High), Relative: d.Relative,
		KS: jsonFloat(d.KS), W1: jsonFloat(d.W1), P: jsonFloat(d.P), Verdict: d.Verdict, Worse: d.Worse, Note: d.Note})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Delta) UnmarshalJSON(b []byte) error {
	var w deltaJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = Delta{Name: w.Name, Baseline: float64(w.Baseline), Current: float64(w.Current),
		Change: float64(w.Change), Low: float64(w.Low), High: float64(w.High), Relative: w.Relative,
		KS: float64(w.KS), W1: float64(w.W1), P: float64(w.P), Verdict: w.Verdict, Worse: w.Worse, Note: w.Note}
	return nil
}
