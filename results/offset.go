package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Offset is a time since a run's start: when a timeline event happened.
// It is written as Go's duration text ("1m30s", "20h0m0s"), the form the
// recorded runs hold, so they read and re-marshal unchanged; on read a
// text that is not a duration ≥ 0 is refused, so the readers (storms, the
// report's charts, the event order) never work from a time they guessed.
type Offset time.Duration

// OffsetSeconds is s seconds from the start, rounded to the millisecond
// as both engines stamp their events. A time before the start (a clock
// read before the run's own start, or NaN) is the start: the producer
// must never write what its readers refuse.
func OffsetSeconds(s float64) Offset {
	if !(s > 0) {
		return 0
	}
	if s >= math.MaxInt64/float64(time.Second) {
		return Offset(math.MaxInt64)
	}
	return Offset(time.Duration(s * float64(time.Second)).Round(time.Millisecond))
}

// ParseOffset reads an offset's text form.
func ParseOffset(s string) (Offset, error) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration", clip(s))
	case d < 0:
		return 0, fmt.Errorf("%q is negative: an event happens at or after the run's start", clip(s))
	}
	return Offset(d), nil
}

// clip shortens what a damaged file holds for an error message: a
// megabyte "at" is named by its start.
func clip(s string) string {
	const most = 40
	if len(s) <= most {
		return s
	}
	return strings.ToValidUTF8(s[:most], "") + "…"
}

// Duration is o as a time.Duration.
func (o Offset) Duration() time.Duration { return time.Duration(o) }

// Seconds is o in seconds.
func (o Offset) Seconds() float64 { return time.Duration(o).Seconds() }

// String is the text form written to run files ("1m30s").
func (o Offset) String() string { return time.Duration(o).String() }

// MarshalText writes the text form.
func (o Offset) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads the text form, refusing a malformed or negative one.
func (o *Offset) UnmarshalText(b []byte) error {
	v, err := ParseOffset(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// eventError is an event that does not read (field "" when not one
// field's fault); Unmarshal names the event, its index, in the error.
type eventError struct {
	field string
	err   error
}

func (e *eventError) Error() string {
	if e.field == "" {
		return e.err.Error()
	}
	return e.field + ": " + e.err.Error()
}

func (e *eventError) Unwrap() error { return e.err }

// UnmarshalJSON reads an event and requires its time: a missing or null
// "at" would otherwise read as the run's start.
func (e *Event) UnmarshalJSON(data []byte) error {
	type fields Event // the fields without this method: no recursion
	var ev struct {
		fields
		At json.RawMessage `json:"at"` // shadows fields.At: read here
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		// encoding/json names the field by this method's own types:
		// name it as the file does.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field[strings.LastIndex(te.Field, ".")+1:]
			if field == "" {
				return &eventError{"", fmt.Errorf("is a JSON %s, want an object", te.Value)}
			}
			return &eventError{field, fmt.Errorf("is a JSON %s, want %s", te.Value, te.Type)}
		}
		return &eventError{err: err}
	}
	var text string
	if len(ev.At) == 0 || string(ev.At) == "null" {
		return &eventError{"at", errors.New("missing: every event has a time")}
	}
	if err := json.Unmarshal(ev.At, &text); err != nil {
		return &eventError{"at", fmt.Errorf("%s is not a duration string", clip(string(ev.At)))}
	}
	at, err := ParseOffset(text)
	if err != nil {
		return &eventError{"at", err}
	}
	*e = Event(ev.fields)
	e.At = at
	return nil
}

// namedEvent names the event behind a decoding error that encoding/json
// reports without its place in the run, for Unmarshal to return
// instead of err: "events[3].at: "abc" is not a duration".
func namedEvent(data []byte, err error) error {
	var ee *eventError
	if !errors.As(err, &ee) {
		return err
	}
	var raw struct {
		Events []json.RawMessage `json:"events"`
	}
	if json.Unmarshal(data, &raw) != nil {
		return err
	}
	for i, msg := range raw.Events {
		var ev Event
		if eerr := ev.UnmarshalJSON(msg); errors.As(eerr, &ee) {
			if ee.field == "" {
				return fmt.Errorf("events[%d]: %w", i, eerr)
			}
			return fmt.Errorf("events[%d].%w", i, eerr)
		}
	}
	return err
}
