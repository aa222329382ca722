package stackcmd

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) Env { return func(k string) string { return m[k] } }

func TestTokenKeyIsOneRuleForEveryComponent(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte("0123456789abcdef0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := env(map[string]string{"FLEETBENCH_TOKEN_KEY": "fromtheenvironment!"})
	if k, err := e.TokenKey(file); err != nil || string(k) != "0123456789abcdef0123" {
		t.Errorf("key file: %q, %v (its newline must go)", k, err)
	}
	if k, err := e.TokenKey(""); err != nil || string(k) != "fromtheenvironment!" {
		t.Errorf("environment: %q, %v", k, err)
	}
	if _, err := env(nil).TokenKey(""); err == nil || !strings.Contains(err.Error(), "at least 16 bytes") {
		t.Errorf("no key: %v", err)
	}
	if _, err := e.TokenKey(filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), "--token-key-file") {
		t.Errorf("a missing key file: %v", err)
	}
}

func TestEnvAndExitStatus(t *testing.T) {
	t.Parallel()
	e := env(map[string]string{"REDIS_SERVICE_HOST": "10.0.0.7", "REDIS_SERVICE_PORT": "6379", "POD_IP": "10.1.1.1"})
	if got := e.ServiceAddr("REDIS", "x"); got != "10.0.0.7:6379" {
		t.Errorf("service address %q", got)
	}
	if got := e.ServiceAddr("MATCHMAKER", "def"); got != "def" || e.Or("POD_NAME", "room-0") != "room-0" || e.Or("POD_IP", "") != "10.1.1.1" {
		t.Error("defaults")
	}
	cmd := func(ret error) Run {
		return func(_ context.Context, args []string, _ Env, _ *slog.Logger) error {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.Int("n", 1, "")
			if err := Parse(fs, args); err != nil {
				return err
			}
			return ret
		}
	}
	for _, c := range []struct {
		args []string
		ret  error
		want int
	}{{nil, nil, 0}, {[]string{"-h"}, nil, 0}, {[]string{"--bogus"}, nil, 2}, {[]string{"extra"}, nil, 2},
		{nil, Usagef("--n: bad"), 2}, {nil, errors.New("redis down"), 1}} {
		var stderr bytes.Buffer
		if got := Exit(context.Background(), "t", cmd(c.ret), c.args, env(nil), &stderr); got != c.want {
			t.Errorf("%v / %v: exit %d, want %d (%s)", c.args, c.ret, got, c.want, stderr.String())
		}
	}
}
