// Package cli is the exit-status contract every fleetbench command keeps,
// and the one place that turns a command's error into that status: 0 ok,
// 1 the answer is no (an SLO missed, a regression), 2 bad input or usage,
// 3 a bug, 4 an operation failed (a write, a cluster, a read of
// something that is not input), 130 interrupted. "No" and "failed" differ
// so that a nightly job can tell a missed SLO from a full disk.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/fleetbench/fleetbench/internal/bug"
)

// Exit statuses, the same for every command (docs/cli.md).
const (
	OK       = 0
	Fail     = 1 // the answer is no: an SLO missed, a regression, a cluster not up
	Usage    = 2 // bad input or usage: flags, scenario, run files, budgets
	Internal = 3 // a bug in fleetbench (a panic), reported with its stack
	// OperationFailed is an error that is none of the others: an output
	// not written, a cluster that did not come up, a run whose stack died.
	OperationFailed = 4
	Interrupted     = 130 // Ctrl-C or SIGTERM: stopped, nothing presented as complete
)

// Command is a whole command: the status it chose (OK, or Fail for an
// answer of no) and an error that, when not nil, decides the status
// instead. An answer of no is never an error: an error is never 1.
type Command func(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error)

// inputError marks an error as the user's: bad input or usage.
type inputError struct{ error }

func (e inputError) Unwrap() error { return e.error }

// Input marks err as bad input or usage (status 2); nil stays nil.
func Input(err error) error {
	if err == nil {
		return nil
	}
	return inputError{err}
}

// Inputf is Input(fmt.Errorf(format, args...)).
func Inputf(format string, args ...any) error { return Input(fmt.Errorf(format, args...)) }

// Code is the status for a command's error, given the context it ran
// under (a cancellation is an interruption only if that context ended).
func Code(ctx context.Context, err error) int {
	var p *bug.Panic
	var in inputError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return OK
	case errors.As(err, &p):
		return Internal
	case ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return Interrupted
	case errors.As(err, &in):
		return Usage
	}
	return OperationFailed
}

// Run runs cmd, prints its error (and a panic's stack) as "name: …" on
// stderr, and returns the exit status. A panic in cmd's own goroutine is
// caught here; goroutines it starts catch theirs with bug.Catch.
func Run(ctx context.Context, name string, cmd Command, args []string, stdout, stderr io.Writer) (code int) {
	var err error
	func() {
		defer bug.Catch(&err)
		code, err = cmd(ctx, args, stdout, stderr)
	}()
	if err == nil {
		return code
	}
	code = Code(ctx, err)
	var p *bug.Panic
	switch {
	case code == OK:
	case errors.As(err, &p):
		fmt.Fprintf(stderr, "%s: %v\n%s", name, err, p.Stack)
	case code == Interrupted:
		fmt.Fprintf(stderr, "%s: interrupted: %v\n", name, err)
	default:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
	}
	return code
}

// Parse parses flags that may come before, between or after positional
// arguments (as users type them: FILE -o DIR, -o DIR FILE) and returns
// the positional ones. A flag error is bad usage.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, Inputf("%s: %w", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// Main runs cmd with os.Args and exits with its status. The context ends
// on the first SIGINT or SIGTERM; a second one kills the process at once
// (the default action comes back as soon as the first is received).
func Main(name string, cmd Command) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := Run(ctx, name, cmd, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
