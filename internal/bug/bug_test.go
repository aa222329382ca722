package bug

import (
	"errors"
	"strings"
	"testing"
)

func TestCatchTurnsAPanicIntoAnError(t *testing.T) {
	t.Parallel()
	f := func() (err error) {
		defer Catch(&err)
		var parts []string
		return errors.New(parts[len(parts)]) // panics: index out of range
	}
	err := f()
	var p *Panic
	if !errors.As(err, &p) {
		t.Fatalf("err = %v, want *Panic", err)
	}
	if !strings.Contains(err.Error(), "index out of range") || !strings.Contains(string(p.Stack), "bug_test.go") {
		t.Errorf("error %q or its stack lacks the cause", err)
	}
}

func TestGoReportsAPanicOnItsChannel(t *testing.T) {
	t.Parallel()
	err := <-Go(func() error { panic("boom") })
	var p *Panic
	if !errors.As(err, &p) || p.Value != "boom" {
		t.Fatalf("err = %v, want the panic", err)
	}
	if err := <-Go(func() error { return nil }); err != nil {
		t.Fatalf("a clean goroutine reported %v", err)
	}
}
