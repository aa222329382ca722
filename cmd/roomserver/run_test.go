package main

import (
	"context"
	"io"
	"testing"

	"github.com/fleetbench/fleetbench/stack/stackcmd"
)

// The command's refusals are usage errors (exit 2), found before it
// listens or dials anything.
func TestUsageErrorsBeforeServing(t *testing.T) {
	t.Parallel()
	good := func(k string) string {
		return map[string]string{"FLEETBENCH_TOKEN_KEY": "0123456789abcdef"}[k]
	}
	for _, c := range []struct {
		args []string
		env  stackcmd.Env
	}{
		{[]string{"--after-match", "keep"}, good},
		{[]string{"--capacity", "many"}, good},
		{[]string{"--tick", "0s"}, good}, // a ticker of 0 would panic
		{[]string{"--state-bytes", "-1"}, good},
		{nil, func(string) string { return "" }}, // no token key
	} {
		if got := stackcmd.Exit(context.Background(), "roomserver", run, c.args, c.env, io.Discard); got != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, got)
		}
	}
}
