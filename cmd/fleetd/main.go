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

	"github.com/fleetbench/fleetbench/stack/fleet"
	"github.com/fleetbench/fleetbench/stack/settings"
	"github.com/fleetbench/fleetbench/stack/stackcmd"
)

func main() { stackcmd.Main("fleetd", run) }

func run(ctx context.Context, args []string, env stackcmd.Env, log *slog.Logger) error {
	fs := flag.NewFlagSet("fleetd", flag.ContinueOnError)
	cfg := fleet.Config{Namespace: env.Or("POD_NAMESPACE", "default"), Template: "roomserver"}
	fs.StringVar(&cfg.Namespace, "namespace", cfg.Namespace, "namespace of the fleet")
	fs.StringVar(&cfg.Template, "template", cfg.Template, "PodTemplate the room pods are made from")
	st := settings.DefaultFleetd()
	st.Register(fs)
	if err := stackcmd.Parse(fs, args); err != nil {
		return err
	}
	cfg.IdleTimeout, cfg.SyncInterval = st.IdleTimeout, st.SyncInterval
	cfg.Buffer = st.Spec().Buffer()
	switch st.Update {
	case settings.Rolling:
		surge, unavail := st.MaxSurge, st.MaxUnavailable
		cfg.Update = fleet.Update{MaxSurge: func(d int) int { return surge.Of(d, true) }, MaxUnavailable: func(d int) int { return unavail.Of(d, false) },
			DrainAllocated: st.DrainAllocated, DrainedFor: st.DrainedFor}
	case settings.OnDelete:
		cfg.Update = fleet.Update{OnDelete: true}
	}
	if st.CountWaiting {
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
	log.Info("fleetd", "namespace", cfg.Namespace, "template", cfg.Template, "policy", st.Policy, "sync", cfg.SyncInterval)
	return fleet.New(cfg, client, log).Run(ctx)
}
