package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"

	"github.com/fleetbench/fleetbench/results"
)

// JUnit XML, as CI systems read it: one suite per scenario and source,
// one test case per SLO of each current run and one per regression check.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
	Skipped *junitFailure `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes the suites' SLO verdicts and regression checks.
func JUnit(w io.Writer, suites []Suite) error {
	all := junitSuites{Name: "fleetbench"}
	for _, s := range suites {
		js := junitSuite{Name: s.Scenario + " (" + s.Source + ")"}
		add := func(class, name, failure, detail string) {
			c := junitCase{Class: class, Name: name}
			if failure != "" {
				c.Failure = &junitFailure{Message: failure, Text: detail}
				js.Failures++
			}
			js.Tests++
			js.Cases = append(js.Cases, c)
		}
		for _, v := range s.SLOs() {
			name := fmt.Sprintf("%s ≤ %g", v.SLO, v.Limit)
			if len(s.Current) > 1 {
				name = fmt.Sprintf("run %d: %s", v.Run, name)
			}
			msg := ""
			if !v.Pass {
				msg = fmt.Sprintf("%s = %g, limit %g", v.SLO, v.Value, v.Limit)
			}
			if v.Known {
				// Missed in the baseline too: reported, not gating.
				js.Tests++
				js.Cases = append(js.Cases, junitCase{Class: "slo." + s.Scenario, Name: name,
					Skipped: &junitFailure{Message: "known failure (the baseline misses it too): " + msg}})
				continue
			}
			add("slo."+s.Scenario, name, msg, "")
		}
		class := "regression." + s.Scenario + "." + s.Source
		switch {
		case s.Missing:
			add(class, "baseline", "no baseline runs for this scenario and source", "run make baseline to record one")
		case s.Source == results.SourceModel:
			msg := ""
			if s.Changed {
				msg = "the model's output changed: accept it with make baseline if intended"
			}
			add(class, "model output identical", msg, changedRows(s))
		}
		for i, r := range s.Current {
			if r.ModelCheck == nil {
				continue
			}
			for _, d := range r.ModelCheck.Deviations {
				name := fmt.Sprintf("%s (run %d)", d.Name, i+1)
				if d.Pass && !d.Judged {
					// Within a coarse allowance: neither agreement nor failure.
					js.Tests++
					js.Cases = append(js.Cases, junitCase{Class: "model-of-run." + s.Scenario, Name: name,
						Skipped: &junitFailure{Message: "not judged: " + d.NotJudged}})
					continue
				}
				msg := ""
				if !d.Pass {
					msg = d.String()
				}
				add("model-of-run."+s.Scenario, name, msg, "")
			}
		}
		if s.Comparison != nil {
			for _, d := range s.Comparison.Rows {
				msg := ""
				switch {
				case d.Verdict == results.Regression:
					msg = fmt.Sprintf("%s: %s → %s (%s, 95%% CI %s … %s, p = %.3g)", d.Name, fmtVal(d.Baseline), fmtVal(d.Current),
						FormatChange(d.Change, d.Relative), FormatChange(d.Low, d.Relative), FormatChange(d.High, d.Relative), d.P)
				case d.Verdict == results.NotJudged && d.Worse:
					// Worse by enough to count, and untestable: not passed.
					msg = fmt.Sprintf("%s: %s → %s (%s) not judged: %s", d.Name, fmtVal(d.Baseline), fmtVal(d.Current),
						FormatChange(d.Change, d.Relative), d.Note)
				case d.Verdict == results.NotJudged:
					js.Tests++
					js.Cases = append(js.Cases, junitCase{Class: class, Name: d.Name, Skipped: &junitFailure{Message: d.Note}})
					continue
				}
				add(class, d.Name, msg, "")
			}
		}
		all.Tests += js.Tests
		all.Failures += js.Failures
		all.Suites = append(all.Suites, js)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// changedRows lists what moved in a changed model suite.
func changedRows(s Suite) string {
	if s.Comparison == nil {
		return ""
	}
	out := ""
	for _, d := range s.Comparison.Rows {
		if d.Baseline != d.Current {
			out += fmt.Sprintf("%s: %s → %s\n", d.Name, fmtVal(d.Baseline), fmtVal(d.Current))
		}
	}
	return out
}

func fmtVal(v float64) string { return fmt.Sprintf("%.4g", v) }

// FormatChange writes a relative change as a percentage, an absolute one
// (ratios) in percentage points.
func FormatChange(v float64, relative bool) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 1):
		return "+∞" // a rise from a zero baseline
	case math.IsInf(v, -1):
		return "−∞"
	}
	if relative {
		return fmt.Sprintf("%+.1f%%", v*100)
	}
	return fmt.Sprintf("%+.2f pp", v*100)
}
