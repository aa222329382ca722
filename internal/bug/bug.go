// Package bug turns a panic into an error that says it is a bug, so a
// command can report it with its stack and a distinct exit status rather
// than die with Go's own status 2 (which reads as bad input).
package bug

import (
	"fmt"
	"runtime/debug"
)

// Panic is a recovered panic: a bug in fleetbench, never the user's input.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string {
	return fmt.Sprintf("internal error (a bug in fleetbench, please report it): panic: %v", p.Value)
}

// Catch, deferred at the top of a goroutine (or a function whose caller
// must survive), stores a panic into *err as a *Panic:
//
//	defer bug.Catch(&err)
func Catch(err *error) {
	if v := recover(); v != nil {
		*err = &Panic{Value: v, Stack: debug.Stack()}
	}
}

// Go runs f on a new goroutine and sends its result, a panic included, on
// the returned channel (buffered: the goroutine never blocks on it).
func Go(f func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		var err error
		defer func() { done <- err }()
		defer Catch(&err)
		err = f()
	}()
	return done
}
