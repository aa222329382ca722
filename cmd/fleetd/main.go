// Command fleetd keeps the room-server fleet at its buffer policy's size
// (OpenKruiseGame minAvailable or Agones buffer), replaces old versions
// per the update strategy and never deletes an Allocated room.
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/fleet"
	"github.com/fleetbench/fleetbench/stack/stackcmd"
)

func main() { stackcmd.Main("fleetd", run) }

func run(ctx context.Context, args []string, env stackcmd.Env, log *slog.Logger) error {
	fs := flag.NewFlagSet("fleetd", flag.ContinueOnError)
	cfg := fleet.Config{Namespace: env.Or("POD_NAMESPACE", "default"), Template: "roomserver"}
	fs.StringVar(&cfg.Namespace, "namespace", cfg.Namespace, "namespace of the fleet")
	fs.StringVar(&cfg.Template, "template", cfg.Template, "PodTemplate the room pods are made from")
	kind := fs.String("policy", "minAvailable", "minAvailable (OpenKruiseGame) or buffer (Agones)")
	count := fs.Int("count", 10, "minAvailable count, or buffer size")
	fraction := fs.Float64("fraction", 0, "minAvailable fraction of live servers, or buffer percent (overrides --count)")
	minN := fs.Int("min", 0, "buffer: fewest replicas")
	maxN := fs.Int("max", 0, "most live servers (0: no cap)")
	update := fs.String("update", "rolling", "rolling or ondelete")
	surge, unavail := mustIOP("25%"), mustIOP("25%")
	fs.Func("max-surge", "rolling update: extra servers (count or %)", func(s string) (err error) { surge, err = scenarios.ParseIntOrPercent(s); return })
	fs.Func("max-unavailable", "rolling update: servers short of desired (count or %)", func(s string) (err error) { unavail, err = scenarios.ParseIntOrPercent(s); return })
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "minAvailable: delete a surplus None room only after idling this long")
	fs.DurationVar(&cfg.SyncInterval, "sync-interval", 0, "act on this tick only (0: on every change)")
	drain := fs.Bool("drain-allocated", false, "rolling update: drain old-version rooms in play too (their players reconnect to new rooms)")
	drainedFor := fs.Duration("drained-for", 0, "rolling update: a drained match counts as in play until it has a new room, this long at most (the players' recovery window)")
	countWaiting := fs.Bool("count-waiting", false, "demand-aware: count matches waiting for a room (asked of the matchmaker)")
	if err := stackcmd.Parse(fs, args); err != nil {
		return err
	}
	switch *kind {
	case "minAvailable":
		cfg.Buffer = policy.MinAvailable{Count: *count, Fraction: *fraction, UseFraction: *fraction > 0, Max: *maxN, CountWaiting: *countWaiting}
	case "buffer":
		cfg.Buffer = policy.AgonesBuffer{Size: *count, Percent: *fraction, UsePercent: *fraction > 0, Min: *minN, Max: *maxN, CountWaiting: *countWaiting}
	default:
		return stackcmd.Usagef("--policy: want minAvailable or buffer, not %q", *kind)
	}
	switch *update {
	case "rolling":
		cfg.Strategy = fleet.Strategy{MaxSurge: func(d int) int { return surge.Of(d, true) }, MaxUnavailable: func(d int) int { return unavail.Of(d, false) }, DrainAllocated: *drain, DrainedFor: *drainedFor}
	case "ondelete":
		cfg.Strategy = fleet.Strategy{OnDelete: true}
	default:
		return stackcmd.Usagef("--update: want rolling or ondelete, not %q", *update)
	}
	if *countWaiting {
		cfg.Waiting = fleet.MatchmakerWaiting(&http.Client{})
		cfg.WaitingChange = fleet.MatchmakerWaitingChange(&http.Client{})
	}
	rc, err := clientcmd.BuildConfigFromFlags("", env("KUBECONFIG"))
	if err != nil {
		return err
	}
	rc.QPS, rc.Burst = 100, 200
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	log.Info("fleetd", "namespace", cfg.Namespace, "template", cfg.Template, "policy", *kind, "sync", cfg.SyncInterval)
	return fleet.New(cfg, client, log).Run(ctx)
}

func mustIOP(s string) scenarios.IntOrPercent {
	v, _ := scenarios.ParseIntOrPercent(s)
	return v
}
