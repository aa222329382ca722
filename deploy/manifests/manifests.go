// Package manifests holds the stack's Kubernetes manifests (a kustomize
// base, rendered as is where pods run as written, and a kind overlay) and renders them
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
	"github.com/fleetbench/fleetbench/stack/settings"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

//go:embed base overlays
var files embed.FS

// Namespace is where the stack runs.
const Namespace = "fleetbench"

// Settings are the scenario's knobs as the stack's typed settings,
// written into the manifests as each component's command line.
type Settings struct {
	Matchmaker settings.Matchmaker
	Fleetd     settings.Fleetd
	RoomServer settings.RoomServer
	TokenKey   []byte // shared join-token key (random per deploy)
	// OKG, under the okg controller, is the rooms' GameServerSet and
	// ScaledObject as `sim plan --emit okg` writes them (fleetd is not
	// deployed); nil under fleetd.
	OKG []byte
}

// ErrSchedule: fleetd keeps one count; a buffer schedule is the model's.
var ErrSchedule = errors.New("fleet.policy.schedule: the real run's fleetd keeps one count and does not follow a schedule; model it with sim, or apply the schedule with the manifests `sim plan --emit` writes")

// ErrHPA: fleetd has no HPA in front of it.
var ErrHPA = errors.New("fleet.hpa: the real run's fleet is fleetd, with no KEDA or HPA in front of it; set fleet.controller: okg (OpenKruiseGame with KEDA and the real HPA, on kind), model it with sim, or leave fleet.hpa out")

// ErrOKGSpeedup: the real HPA's clock is the wall's.
var ErrOKGSpeedup = errors.New("speedup: under fleet.controller okg the real HPA syncs every 15 s of wall time and its windows are wall seconds; run at speedup 1")

// ErrOKGSync: the HPA's sync period is the cluster's, not the scenario's.
var ErrOKGSync = errors.New("fleet.hpa.syncPeriod: the real HPA syncs at kube-controller-manager's period (15s on the clusters fleetbench makes); leave it unset or 15s")

// Check refuses what the real run's stack cannot do that the model can
// (the model runs every valid scenario): before a cluster comes up.
func Check(sc *scenarios.Scenario) error {
	okg := sc.Fleet.Controller == scenarios.OKG
	switch {
	case len(sc.Fleet.Policy.Schedule) > 0:
		return ErrSchedule
	case !okg && sc.Fleet.HPA != nil:
		return ErrHPA
	case okg && sc.Speedup != 1:
		return ErrOKGSpeedup
	case okg && sc.Fleet.HPA != nil && sc.Fleet.HPA.Sync() != scenarios.DefaultHPASync:
		return ErrOKGSync
	case okg && sc.Fleet.Policy.MinAvailable.Count == nil:
		return errors.New("fleet.policy.minAvailable.fraction: the real run under okg carries a count to kruise-game's scaler; set minAvailable.count")
	}
	for i, ev := range sc.Timeline {
		if okg && ev.RollingDeploy != nil {
			return fmt.Errorf("timeline[%d].rollingDeploy: a new room version under okg (the GameServerSet's own update) is not run yet; run it under fleetd", i)
		}
	}
	return nil
}

// SettingsFor maps a scenario's players and fleet sections to the
// stack's flags (the same semantics the model simulates).
func SettingsFor(sc *scenarios.Scenario) (Settings, error) {
	if err := Check(sc); err != nil {
		return Settings{}, err
	}
	// Printable: the key reaches processes as an environment variable.
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Settings{}, err
	}
	key := []byte(hex.EncodeToString(raw))
	wall := func(d scenarios.Duration) time.Duration { return time.Duration(float64(d.Duration) / sc.Speedup) } // validated > 0
	pl, fl := sc.Players, sc.Fleet
	onTimeout, err1 := choice("players.onTimeout", pl.OnTimeout, onTimeouts)
	onNoServer, err2 := choice("players.allocation.onNoServer", pl.Allocation.OnNoServer, onNoServers)
	afterMatch, err3 := choice("fleet.afterMatch", fl.AfterMatch, afterMatches)
	if err := errors.Join(err1, err2, err3); err != nil {
		return Settings{}, err
	}
	s := Settings{TokenKey: key}
	s.Matchmaker = settings.Matchmaker{PerMatch: pl.PerMatch, MatchTimeout: wall(pl.MatchTimeout), OnTimeout: onTimeout,
		OnNoServer: onNoServer, AllocTimeout: wall(pl.Allocation.Timeout), Placement: fl.Scheduling.Placement()}
	s.RoomServer = settings.RoomServer{Capacity: pl.PerMatch, AfterMatch: afterMatch, Window: wall(pl.RecoveryWindow), Grace: 25 * time.Second,
		Startup: fl.PodStartup.Sampler().Scaled(1 / sc.Speedup), Tick: time.Duration(float64(time.Second) / sc.RoomTickRate())}
	if fl.Room != nil {
		s.RoomServer.StateBytes = fl.Room.StateBytes
	}
	f := settings.DefaultFleetd()
	f.SyncInterval, f.IdleTimeout = wall(fl.SyncInterval), wall(fl.IdleTimeout)
	f.SetSpec(fl.Policy.Spec())
	if ru := fl.Update.RollingUpdate; ru != nil {
		f.Update, f.MaxSurge, f.MaxUnavailable = settings.Rolling, ru.MaxSurge.IntOrPercent, ru.MaxUnavailable.IntOrPercent
		if ru.DrainAllocated {
			f.DrainAllocated, f.DrainedFor = true, wall(sc.Players.RecoveryWindow)
		}
	} else {
		f.Update = settings.OnDelete
	}
	s.Fleetd = f
	s.Matchmaker.Controller, s.RoomServer.Controller = settings.ByFleetd, settings.ByFleetd
	if fl.Controller == scenarios.OKG {
		s.Matchmaker.Controller, s.RoomServer.Controller = settings.OKG, settings.OKG
		s.RoomServer.IdleTimeout = wall(fl.IdleTimeout)
		var err error
		if s.OKG, err = okgFleet(sc); err != nil {
			return Settings{}, fmt.Errorf("fleet.controller okg: %w", err)
		}
	}
	return s, nil
}

// The stack's setting for each of a scenario's words. The words are the
// same today; the maps keep the stack's flags apart from the scenario
// format, which the components do not import.
var (
	onTimeouts   = map[scenarios.OnTimeout]settings.OnTimeout{scenarios.StartShort: settings.StartShort, scenarios.Requeue: settings.Requeue}
	onNoServers  = map[scenarios.OnNoServer]settings.OnNoServer{scenarios.Wait: settings.Wait, scenarios.Fail: settings.Fail}
	afterMatches = map[scenarios.AfterMatch]settings.AfterMatch{scenarios.Reuse: settings.Reuse, scenarios.Recycle: settings.Recycle}
)

// choice is the stack's setting for the scenario's word v at path; a word
// with none was added to the format but not to the stack.
func choice[S ~string, T any](path string, v S, stack map[S]T) (T, error) {
	t, ok := stack[v]
	if !ok {
		return t, fmt.Errorf("%s: the stack has no setting for %q", path, string(v))
	}
	return t, nil
}

// Render builds an overlay ("local" or "kind") with the settings: the
// args as JSON patches and the token key as a Secret.
func Render(overlay string, s Settings) ([]byte, error) {
	dir := "../overlays/" + overlay
	switch overlay {
	case "base": // the stack as is: where a cluster realizes pods as they are written
		dir = "../base"
	case "kind":
	default:
		return nil, fmt.Errorf("manifests: no overlay %q (base, kind)", overlay)
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
- %s
- secret.yaml
patches:
- target: {kind: Deployment, name: matchmaker}
  patch: '[{"op": "replace", "path": "/spec/template/spec/containers/0/args", "value": %s}]'
- target: {kind: Deployment, name: fleetd}
  patch: '[{"op": "replace", "path": "/spec/template/spec/containers/0/args", "value": %s}]'
- target: {kind: PodTemplate, name: roomserver}
  patch: '[{"op": "replace", "path": "/template/spec/containers/0/args", "value": %s}]'
`, Namespace, dir, jsonList(s.Matchmaker.Args()), jsonList(s.Fleetd.Args()), jsonList(s.RoomServer.Args()))
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
	out, err := res.AsYaml()
	if err != nil || s.OKG == nil {
		return out, err
	}
	return underOKG(out, s.OKG)
}

// jsonList quotes args as a JSON array (inside a single-quoted YAML string).
func jsonList(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return "[" + strings.ReplaceAll(strings.Join(q, ", "), "'", "''") + "]"
}
