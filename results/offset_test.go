package results

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/fileio"
)

// recordedRuns are the run files the repository holds: baselines that
// compare reads against new runs, and the scenarios' own.
func recordedRuns(t *testing.T) []string {
	t.Helper()
	var paths []string
	for _, root := range []string{"../baselines", "../scenarios"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (d.Name() == "model.json" || d.Name() == "measured.json") {
				paths = append(paths, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(paths) == 0 {
		t.Fatal("no recorded run under baselines/ or scenarios/")
	}
	return paths
}

// Typed event times read every recorded run as it was written: each
// file re-marshals byte for byte, and its events' times are its text.
func TestRecordedRunsReadAndRewriteIdentically(t *testing.T) {
	t.Parallel()
	events := 0
	for _, path := range recordedRuns(t) {
		data, err := fileio.ReadFile(path, MaxRunFileSize)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Unmarshal(data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		again, err := Marshal(r)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		sameExceptModelCheck(t, path, data, again)
		var raw struct{ Events []struct{ At string } }
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Fatal(err)
		}
		for i, ev := range raw.Events {
			if r.Events[i].At.String() != ev.At {
				t.Errorf("%s: events[%d].at %q reads as %s", path, i, ev.At, r.Events[i].At)
			}
			events++
		}
	}
	if events == 0 {
		t.Error("the recorded runs hold no event: nothing was checked")
	}
}

// sameExceptModelCheck checks that a run file re-marshalled is the
// file, byte for byte, but for a measured run's modelCheck: Unmarshal
// adds to an older file's the judgement it did not record (each
// deviation's resolution), which is not what this test is about.
func sameExceptModelCheck(t *testing.T, path string, data, again []byte) {
	t.Helper()
	var was, is map[string]json.RawMessage
	if err := json.Unmarshal(data, &was); err != nil {
		t.Fatal(err)
	}
	if _, ok := was["modelCheck"]; !ok {
		if !bytes.Equal(again, data) {
			t.Errorf("%s: re-marshalled differs from the file", path)
		}
		return
	}
	if err := json.Unmarshal(again, &is); err != nil {
		t.Fatal(err)
	}
	for key, raw := range was {
		if key != "modelCheck" && !bytes.Equal(is[key], raw) {
			t.Errorf("%s: %s re-marshalled differs from the file", path, key)
		}
	}
	if len(is) != len(was) {
		t.Errorf("%s: re-marshalled has %d fields, the file %d", path, len(is), len(was))
	}
}

// A time that is not a duration ≥ 0 is refused on read, naming the
// event; so is an event without one.
func TestEventTimesAreValidatedOnRead(t *testing.T) {
	t.Parallel()
	run := func(events string) []byte {
		return []byte(`{"meta":{"source":"model"},"events":[` + events + `]}`)
	}
	ok := `{"at":"1m30s","kind":"crash","detail":""}`
	r, err := Unmarshal(run(ok))
	if err != nil || r.Events[0].At.Duration() != 90*time.Second {
		t.Fatalf("a valid time: %+v, %v", r, err)
	}
	for _, c := range []struct{ events, want string }{
		{ok + `,` + ok + `,` + ok + `,{"at":"abc","kind":"crash"}`, `events[3].at: "abc" is not a duration`},
		{`{"at":"-5s","kind":"crash"}`, `events[0].at: "-5s" is negative`},
		{`{"at":"","kind":"crash"}`, `events[0].at: "" is not a duration`},
		{ok + `,{"at":90,"kind":"crash"}`, `events[1].at: 90 is not a duration string`},
		{`{"kind":"crash"}`, `events[0].at: missing`},
		{`{"at":null,"kind":"crash"}`, `events[0].at: missing`},
		{`{"at":"1s","kind":7}`, `events[0].kind: is a JSON number, want string`},
		{`{"at":"` + strings.Repeat("9", 1000) + `"}`, `events[0].at: "` + strings.Repeat("9", 40) + `…" is not a duration`},
		{ok + `,5`, `events[1]: is a JSON number, want an object`},
	} {
		_, err := Unmarshal(run(c.events))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.events, err, c.want)
		}
	}
}

// Producers stamp to the millisecond and never write a time their
// readers refuse.
func TestOffsetSeconds(t *testing.T) {
	t.Parallel()
	for s, want := range map[float64]string{0: "0s", 90.0004: "1m30s", 72000: "20h0m0s", 0.0126: "13ms", -3: "0s", math.NaN(): "0s"} {
		if got := OffsetSeconds(s).String(); got != want {
			t.Errorf("OffsetSeconds(%g) = %s, want %s", s, got, want)
		}
	}
	if o := OffsetSeconds(1e300); o < 0 {
		t.Errorf("OffsetSeconds(1e300) = %d: wrapped negative", o)
	}
}
