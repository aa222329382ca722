// Package stackcmd is what the stack's three commands (roomserver,
// matchmaker, fleetd) share, in the shape kind's commands have: a run
// function of its context, arguments, environment and output, with its
// own FlagSet, so that tests run it in-process; the downward-API
// environment a pod gets; and the one rule for the join-token key.
package stackcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Env reads the environment (os.Getenv, or a map in tests).
type Env func(string) string

// Or is the variable k, or def when it is empty.
func (e Env) Or(k, def string) string {
	if v := e(k); v != "" {
		return v
	}
	return def
}

// ServiceAddr is a Service's host:port from <NAME>_SERVICE_HOST/PORT, as
// kubelet (or the local runner) sets them, or def.
func (e Env) ServiceAddr(name, def string) string {
	h, p := e(name+"_SERVICE_HOST"), e(name+"_SERVICE_PORT")
	if h == "" || p == "" {
		return def
	}
	return net.JoinHostPort(h, p)
}

// MinKeyBytes is the least a join-token HMAC key may hold.
const MinKeyBytes = 16

// TokenKey is the join-token HMAC key, the same for every component: the
// file's content (trailing newline dropped: a Secret written by hand has
// one) when keyFile is given, else $FLEETBENCH_TOKEN_KEY.
func (e Env) TokenKey(keyFile string) ([]byte, error) {
	key := []byte(e("FLEETBENCH_TOKEN_KEY"))
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("--token-key-file: %w", err)
		}
		key = []byte(strings.TrimRight(string(b), "\r\n"))
	}
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("the token key must hold at least %d bytes (--token-key-file or $FLEETBENCH_TOKEN_KEY)", MinKeyBytes)
	}
	return key, nil
}

// Run is one command: it parses args with fs and serves until ctx ends.
type Run func(ctx context.Context, args []string, env Env, log *slog.Logger) error

// Main runs a command as a process: its context ends on SIGTERM or
// SIGINT, its log goes to stderr; a usage error exits 2, any other 1.
func Main(name string, run Run) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := Exit(ctx, name, run, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// UsageError marks bad flags or values (exit 2).
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef is a UsageError from a format.
func Usagef(format string, args ...any) error { return UsageError{fmt.Errorf(format, args...)} }

// Parse parses args with fs, its errors as usage errors.
func Parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return UsageError{err}
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// Exit runs the command and returns its exit status.
func Exit(ctx context.Context, name string, run Run, args []string, env Env, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil)).With("cmd", name)
	err := run(ctx, args, env, log)
	var ue UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		log.Error("usage", "err", err)
		return 2
	}
	log.Error(name, "err", err)
	return 1
}
