// Command matchmaker queues players, forms matches and allocates each a
// Ready room server through the Kubernetes API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/matchmaker"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("matchmaker", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	var cfg matchmaker.Config
	listen := flag.String("listen", net.JoinHostPort(envOr("POD_IP", "127.0.0.1"), "8080"), "HTTP address")
	namespace := flag.String("namespace", envOr("POD_NAMESPACE", "default"), "namespace of the room servers")
	strategy := flag.String("strategy", "packed", "room choice among equal versions: packed or distributed")
	flag.IntVar(&cfg.PerMatch, "per-match", 4, "players per match")
	flag.DurationVar(&cfg.MatchTimeout, "match-timeout", 0, "start or requeue a short match after this wait (0: never)")
	flag.StringVar(&cfg.OnTimeout, "on-timeout", "start", "start or requeue")
	flag.StringVar(&cfg.OnNoServer, "on-no-server", "wait", "wait (FIFO, up to --alloc-timeout) or fail (503)")
	flag.DurationVar(&cfg.AllocTimeout, "alloc-timeout", 30*time.Second, "how long a match waits for a room")
	flag.DurationVar(&cfg.TokenTTL, "token-ttl", time.Minute, "join token lifetime")
	flag.IntVar(&cfg.MaxQueue, "max-queue", 100000, "players queued at most (429 beyond)")
	flag.DurationVar(&cfg.RetryAfter, "retry-after", time.Second, "Retry-After on 429 and 503")
	flag.Parse()
	cfg.Key = []byte(os.Getenv("FLEETBENCH_TOKEN_KEY"))
	switch {
	case len(cfg.Key) < 16:
		return errors.New("$FLEETBENCH_TOKEN_KEY must hold at least 16 bytes")
	case cfg.PerMatch < 1:
		return errors.New("--per-match must be ≥ 1")
	case cfg.OnTimeout != "start" && cfg.OnTimeout != "requeue":
		return fmt.Errorf("--on-timeout: want start or requeue, not %q", cfg.OnTimeout)
	case cfg.OnNoServer != "wait" && cfg.OnNoServer != "fail":
		return fmt.Errorf("--on-no-server: want wait or fail, not %q", cfg.OnNoServer)
	case *strategy != "packed" && *strategy != "distributed":
		return fmt.Errorf("--strategy: want packed or distributed, not %q", *strategy)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return err
	}
	// Every allocation is an API write: no client-side rate limit.
	rc.QPS, rc.Burst = -1, 0
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	s := policy.Packed
	if *strategy == "distributed" {
		s = policy.Distributed
	}
	alloc := matchmaker.NewAllocator(client, *namespace, s, log)
	if err := alloc.Start(ctx); err != nil {
		return err
	}
	srv := matchmaker.New(cfg, alloc, log)
	go srv.Run(ctx)
	hs := matchmaker.HTTPServer(*listen, srv.Handler(), matchmaker.DefaultLimits())
	go func() {
		<-ctx.Done()
		shut, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		hs.Shutdown(shut)
	}()
	log.Info("matchmaker", "listen", *listen, "namespace", *namespace)
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
