package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

func TestRunMapsEachOutcomeToItsStatus(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		cmd  Command
		want int
		says string
	}{
		{"ok", context.Background(), func(context.Context, []string, io.Writer, io.Writer) (int, error) { return OK, nil }, OK, ""},
		{"slo missed", context.Background(), func(context.Context, []string, io.Writer, io.Writer) (int, error) { return Fail, nil }, Fail, ""},
		{"bad input", context.Background(), func(context.Context, []string, io.Writer, io.Writer) (int, error) {
			return 0, fmt.Errorf("reading: %w", Inputf("scenario x.yaml: %s", "duration: must be > 0"))
		}, Usage, "t: reading: scenario x.yaml: duration: must be > 0"},
		{"operation failed", context.Background(), func(context.Context, []string, io.Writer, io.Writer) (int, error) {
			return 0, errors.New("cluster did not come up")
		}, OperationFailed, "t: cluster did not come up"},
		{"a write failed after an answer of no: the failure decides", context.Background(), func(context.Context, []string, io.Writer, io.Writer) (int, error) {
			return Fail, fmt.Errorf("-o out: %w", os.ErrPermission)
		}, OperationFailed, "t: -o out: permission denied"},
		{"panic", context.Background(), func(context.Context, []string, io.Writer, io.Writer) (int, error) {
			var s []int
			_ = s[3]
			return OK, nil
		}, Internal, "internal error (a bug in fleetbench"},
		{"interrupted", cancelled, func(ctx context.Context, _ []string, _, _ io.Writer) (int, error) {
			return 0, fmt.Errorf("model runs: %w", ctx.Err())
		}, Interrupted, "t: interrupted"},
		{"a cancellation of its own is a failure, not an interruption", context.Background(), func(context.Context, []string, io.Writer, io.Writer) (int, error) {
			return 0, context.Canceled
		}, OperationFailed, "t: context canceled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			if got := Run(c.ctx, "t", c.cmd, nil, io.Discard, &stderr); got != c.want {
				t.Errorf("status %d, want %d (stderr %q)", got, c.want, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.says) {
				t.Errorf("stderr %q lacks %q", stderr.String(), c.says)
			}
		})
	}
}

// 1 is the answer no, which a command returns as its status: no error,
// whatever it wraps or joins, maps to it.
func TestNoErrorIsAnAnswerOfNo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, err := range []error{
		errors.New("x"),
		fmt.Errorf("writing: %w", os.ErrPermission),
		errors.Join(errors.New("run"), Inputf("bad")),
		context.DeadlineExceeded,
	} {
		if got := Code(ctx, err); got == Fail || got == OK {
			t.Errorf("Code(%v) = %d", err, got)
		}
	}
}
