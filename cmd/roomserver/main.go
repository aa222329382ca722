// Command roomserver is the stack's game server: one room of players over
// WebSocket, session state in Redis, opsState on its pod.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/stack/room"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("roomserver", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	var cfg room.Config
	podIP := envOr("POD_IP", "127.0.0.1")
	listen := flag.String("listen", net.JoinHostPort(podIP, "7777"), "address to serve players and probes on")
	flag.StringVar(&cfg.Address, "address", "", "address published for players (default: --listen)")
	flag.StringVar(&cfg.Room, "room", envOr("POD_NAME", "room-0"), "room id (the pod name)")
	namespace := flag.String("namespace", envOr("POD_NAMESPACE", "default"), "the pod's namespace")
	redisAddr := flag.String("redis", envAddr("REDIS", "127.0.0.1:6379"), "Redis address")
	keyFile := flag.String("token-key-file", "", "file holding the join-token HMAC key (default: $FLEETBENCH_TOKEN_KEY)")
	flag.IntVar(&cfg.Capacity, "capacity", 4, "players per match")
	flag.DurationVar(&cfg.Tick, "tick", 50*time.Millisecond, "state broadcast period")
	window := flag.Duration("window", 30*time.Second, "session recovery window")
	streamLen := flag.Int64("stream-len", 1200, "room messages kept for replay")
	flag.Float64Var(&cfg.RateLimit, "rate", 50, "messages per second per connection")
	flag.IntVar(&cfg.Burst, "burst", 100, "message burst per connection")
	flag.DurationVar(&cfg.ReadTimeout, "read-timeout", 10*time.Second, "drop a connection silent this long")
	flag.DurationVar(&cfg.RetryAfter, "retry-after", time.Second, "reconnect hint sent when draining")
	flag.StringVar(&cfg.AfterMatch, "after-match", "reuse", "reuse (back to None) or recycle (WaitToBeDeleted)")
	flag.DurationVar(&cfg.ClaimTimeout, "claim-timeout", 2*time.Minute, "free an allocation no player joined within this (keep above the token lifetime)")
	grace := flag.Duration("grace", 25*time.Second, "drain limit after SIGTERM (keep below the pod's grace period)")
	flag.Parse()
	if cfg.Address == "" {
		cfg.Address = *listen
	}
	key := []byte(os.Getenv("FLEETBENCH_TOKEN_KEY"))
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		key = b
	}
	if len(key) < 16 {
		return fmt.Errorf("the token key must have at least 16 bytes (--token-key-file or $FLEETBENCH_TOKEN_KEY)")
	}
	cfg.Key = key
	if cfg.AfterMatch != "reuse" && cfg.AfterMatch != "recycle" {
		return fmt.Errorf("--after-match: want reuse or recycle, not %q", cfg.AfterMatch)
	}
	var pub room.Publisher = room.NopPublisher{}
	if os.Getenv("POD_NAME") != "" {
		rc, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
		if err != nil {
			return err
		}
		client, err := kubernetes.NewForConfig(rc)
		if err != nil {
			return err
		}
		pub = room.PodPublisher{Client: client, Namespace: *namespace, Pod: cfg.Room}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(room.RedisOptions(*redisAddr))
	defer rdb.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log.Info("room server", "room", cfg.Room, "listen", *listen, "redis", *redisAddr)
	return room.Serve(ctx, room.New(cfg, room.NewStore(rdb, *window, *streamLen), pub, log), ln, *grace)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// envAddr reads a Service's <NAME>_SERVICE_HOST/PORT, as kubelet (or the
// local runner) sets them.
func envAddr(name, def string) string {
	h, p := os.Getenv(name+"_SERVICE_HOST"), os.Getenv(name+"_SERVICE_PORT")
	if h == "" || p == "" {
		return def
	}
	return net.JoinHostPort(h, p)
}
