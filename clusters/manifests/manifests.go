// Package manifests holds the stack's Kubernetes manifests (a kustomize
// base and overlays for the local and kind providers) and renders them
// with a scenario's settings.
package manifests

import (
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

//go:embed base overlays
var files embed.FS

// Namespace is where the stack runs.
const Namespace = "fleetbench"

// Settings are the scenario's knobs as the stack's command lines.
type Settings struct {
	Matchmaker []string // matchmaker args
	Fleetd     []string // fleetd args
	RoomServer []string // roomserver args
	TokenKey   []byte   // shared join-token key (random per deploy)
}

// SettingsFor maps a scenario's players and fleet sections to the
// stack's flags (the same semantics the model simulates).
// ErrSchedule: fleetd keeps one count; a buffer schedule is the model's.
var ErrSchedule = errors.New("fleet.policy.schedule: the real run's fleetd keeps one count and does not follow a schedule; model it with sim, or apply the schedule with the manifests `sim plan --emit` writes")

func SettingsFor(sc *scenarios.Scenario) (Settings, error) {
	if len(sc.Fleet.Policy.Schedule) > 0 {
		return Settings{}, ErrSchedule
	}
	// Printable: the key reaches processes as an environment variable.
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Settings{}, err
	}
	key := []byte(hex.EncodeToString(raw))
	scale := 1 / sc.Speedup // validated > 0
	dur := func(d time.Duration) string { return time.Duration(float64(d) * scale).String() }
	pl, fl := sc.Players, sc.Fleet
	s := Settings{TokenKey: key}
	s.Matchmaker = []string{"--per-match", strconv.Itoa(pl.PerMatch), "--match-timeout", dur(pl.MatchTimeout.Duration),
		"--on-timeout", pl.OnTimeout, "--on-no-server", pl.Allocation.OnNoServer, "--alloc-timeout", dur(pl.Allocation.Timeout.Duration),
		"--strategy", fl.Scheduling}
	s.RoomServer = []string{"--capacity", strconv.Itoa(pl.PerMatch), "--after-match", fl.AfterMatch,
		"--window", dur(pl.RecoveryWindow.Duration), "--grace", "25s"}
	s.Fleetd = []string{"--sync-interval", dur(fl.SyncInterval.Duration), "--idle-timeout", dur(fl.IdleTimeout.Duration)}
	switch p := fl.Policy; {
	case p.MinAvailable != nil:
		m := p.MinAvailable
		s.Fleetd = append(s.Fleetd, "--policy", "minAvailable", "--max", strconv.Itoa(m.Max))
		if m.Fraction != nil {
			s.Fleetd = append(s.Fleetd, "--fraction", strconv.FormatFloat(*m.Fraction, 'f', -1, 64))
		} else if m.Count != nil {
			s.Fleetd = append(s.Fleetd, "--count", strconv.Itoa(*m.Count))
		}
	case p.Buffer != nil:
		b := p.Buffer
		s.Fleetd = append(s.Fleetd, "--policy", "buffer", "--min", strconv.Itoa(b.Min), "--max", strconv.Itoa(b.Max))
		if b.Percent != nil {
			s.Fleetd = append(s.Fleetd, "--fraction", strconv.FormatFloat(*b.Percent, 'f', -1, 64))
		} else if b.Size != nil {
			s.Fleetd = append(s.Fleetd, "--count", strconv.Itoa(*b.Size))
		}
	}
	if fl.Policy.CountWaiting {
		s.Fleetd = append(s.Fleetd, "--count-waiting")
	}
	if ru := fl.Update.RollingUpdate; ru != nil {
		iop := func(v scenarios.IntOrPercent) string { b, _ := v.MarshalYAML(); return fmt.Sprint(b) }
		s.Fleetd = append(s.Fleetd, "--update", "rolling", "--max-surge", iop(ru.MaxSurge), "--max-unavailable", iop(ru.MaxUnavailable))
		if ru.DrainAllocated {
			s.Fleetd = append(s.Fleetd, "--drain-allocated", "--drained-for", dur(sc.Players.RecoveryWindow.Duration))
		}
	} else {
		s.Fleetd = append(s.Fleetd, "--update", "ondelete")
	}
	return s, nil
}

// Render builds an overlay ("local" or "kind") with the settings: the
// args as JSON patches and the token key as a Secret.
func Render(overlay string, s Settings) ([]byte, error) {
	if overlay != "local" && overlay != "kind" {
		return nil, fmt.Errorf("manifests: no overlay %q (local, kind)", overlay)
	}
	mem := filesys.MakeFsInMemory()
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		return mem.WriteFile(path.Join("/m", p), b)
	})
	if err != nil {
		return nil, err
	}
	k := fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: %s
resources:
- ../overlays/%s
- secret.yaml
patches:
- target: {kind: Deployment, name: matchmaker}
  patch: '[{"op": "replace", "path": "/spec/template/spec/containers/0/args", "value": %s}]'
- target: {kind: Deployment, name: fleetd}
  patch: '[{"op": "replace", "path": "/spec/template/spec/containers/0/args", "value": %s}]'
- target: {kind: PodTemplate, name: roomserver}
  patch: '[{"op": "replace", "path": "/template/spec/containers/0/args", "value": %s}]'
`, Namespace, overlay, jsonList(s.Matchmaker), jsonList(s.Fleetd), jsonList(s.RoomServer))
	secret := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: fleetbench-token}\ndata: {key: %s}\n", base64.StdEncoding.EncodeToString(s.TokenKey))
	if err := mem.WriteFile("/m/stack/kustomization.yaml", []byte(k)); err != nil {
		return nil, err
	}
	if err := mem.WriteFile("/m/stack/secret.yaml", []byte(secret)); err != nil {
		return nil, err
	}
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, "/m/stack")
	if err != nil {
		return nil, fmt.Errorf("manifests: %w", err)
	}
	return res.AsYaml()
}

// jsonList quotes args as a JSON array (inside a single-quoted YAML string).
func jsonList(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return "[" + strings.ReplaceAll(strings.Join(q, ", "), "'", "''") + "]"
}
