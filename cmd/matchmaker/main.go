// Command matchmaker queues players, forms matches and allocates each a
// Ready room server through the Kubernetes API.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/stack/matchmaker"
	"github.com/fleetbench/fleetbench/stack/settings"
	"github.com/fleetbench/fleetbench/stack/stackcmd"
)

func main() { stackcmd.Main("matchmaker", run) }

func run(ctx context.Context, args []string, env stackcmd.Env, log *slog.Logger) error {
	fs := flag.NewFlagSet("matchmaker", flag.ContinueOnError)
	var cfg matchmaker.Config
	listen := fs.String("listen", net.JoinHostPort(env.Or("POD_IP", "127.0.0.1"), "8080"), "HTTP address")
	namespace := fs.String("namespace", env.Or("POD_NAMESPACE", "default"), "namespace of the room servers")
	keyFile := fs.String("token-key-file", "", "file holding the join-token HMAC key (default: $FLEETBENCH_TOKEN_KEY)")
	st := settings.DefaultMatchmaker()
	st.Register(fs)
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", time.Minute, "join token lifetime")
	fs.IntVar(&cfg.MaxQueue, "max-queue", 100000, "players queued at most (429 beyond)")
	fs.DurationVar(&cfg.RetryAfter, "retry-after", time.Second, "Retry-After on 429 and 503")
	if err := stackcmd.Parse(fs, args); err != nil {
		return err
	}
	cfg.PerMatch, cfg.MatchTimeout, cfg.AllocTimeout = st.PerMatch, st.MatchTimeout, st.AllocTimeout
	cfg.OnTimeout, cfg.OnNoServer = st.OnTimeout, st.OnNoServer
	key, err := env.TokenKey(*keyFile)
	if err != nil {
		return stackcmd.UsageError{Err: err}
	}
	cfg.Key = key
	switch {
	case cfg.PerMatch < 1:
		return stackcmd.Usagef("--per-match must be ≥ 1")
	}
	rc, err := clientcmd.BuildConfigFromFlags("", env("KUBECONFIG"))
	if err != nil {
		return err
	}
	// Every allocation is an API write: no client-side rate limit.
	rc.QPS, rc.Burst = -1, 0
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	alloc := matchmaker.NewAllocator(client, *namespace, st.Placement, log)
	if st.Controller == settings.OKG {
		dyn, err := dynamic.NewForConfig(rc)
		if err != nil {
			return err
		}
		alloc.ClaimGameServers(dyn)
	}
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
