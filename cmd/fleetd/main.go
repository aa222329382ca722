// Command fleetd keeps the room-server fleet at its buffer policy's size
// (OpenKruiseGame minAvailable or Agones buffer), replaces old versions
// per the update strategy and never deletes an Allocated room.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/fleet"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("fleetd", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg := fleet.Config{Namespace: os.Getenv("POD_NAMESPACE"), Template: "roomserver"}
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	flag.StringVar(&cfg.Namespace, "namespace", cfg.Namespace, "namespace of the fleet")
	flag.StringVar(&cfg.Template, "template", cfg.Template, "PodTemplate the room pods are made from")
	kind := flag.String("policy", "minAvailable", "minAvailable (OpenKruiseGame) or buffer (Agones)")
	count := flag.Int("count", 10, "minAvailable count, or buffer size")
	fraction := flag.Float64("fraction", 0, "minAvailable fraction of live servers, or buffer percent (overrides --count)")
	minN := flag.Int("min", 0, "buffer: fewest replicas")
	maxN := flag.Int("max", 0, "most live servers (0: no cap)")
	update := flag.String("update", "rolling", "rolling or ondelete")
	surge, unavail := mustIOP("25%"), mustIOP("25%")
	flag.Func("max-surge", "rolling update: extra servers (count or %)", func(s string) (err error) { surge, err = scenarios.ParseIntOrPercent(s); return })
	flag.Func("max-unavailable", "rolling update: servers short of desired (count or %)", func(s string) (err error) { unavail, err = scenarios.ParseIntOrPercent(s); return })
	flag.DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "minAvailable: delete a surplus None room only after idling this long")
	flag.DurationVar(&cfg.SyncInterval, "sync-interval", 0, "act on this tick only (0: on every change)")
	drain := flag.Bool("drain-allocated", false, "rolling update: drain old-version rooms in play too (their players reconnect to new rooms)")
	drainedFor := flag.Duration("drained-for", 0, "rolling update: a drained match counts as in play until it has a new room, this long at most (the players' recovery window)")
	countWaiting := flag.Bool("count-waiting", false, "demand-aware: count matches waiting for a room (asked of the matchmaker)")
	flag.Parse()
	switch *kind {
	case "minAvailable":
		cfg.Buffer = policy.MinAvailable{Count: *count, Fraction: *fraction, UseFraction: *fraction > 0, Max: *maxN, CountWaiting: *countWaiting}
	case "buffer":
		cfg.Buffer = policy.AgonesBuffer{Size: *count, Percent: *fraction, UsePercent: *fraction > 0, Min: *minN, Max: *maxN, CountWaiting: *countWaiting}
	default:
		return errors.New("--policy: want minAvailable or buffer")
	}
	switch *update {
	case "rolling":
		cfg.Strategy = fleet.Strategy{MaxSurge: func(d int) int { return surge.Of(d, true) }, MaxUnavailable: func(d int) int { return unavail.Of(d, false) }, DrainAllocated: *drain, DrainedFor: *drainedFor}
	case "ondelete":
		cfg.Strategy = fleet.Strategy{OnDelete: true}
	default:
		return errors.New("--update: want rolling or ondelete")
	}
	if *countWaiting {
		cfg.Waiting = fleet.MatchmakerWaiting(&http.Client{})
		cfg.WaitingChange = fleet.MatchmakerWaitingChange(&http.Client{})
	}
	rc, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return err
	}
	rc.QPS, rc.Burst = 100, 200
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log.Info("fleetd", "namespace", cfg.Namespace, "template", cfg.Template, "policy", *kind, "sync", cfg.SyncInterval)
	return fleet.New(cfg, client, log).Run(ctx)
}

func mustIOP(s string) scenarios.IntOrPercent {
	v, _ := scenarios.ParseIntOrPercent(s)
	return v
}
