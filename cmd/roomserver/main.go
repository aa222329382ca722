// Command roomserver is the stack's game server: one room of players over
// WebSocket, session state in Redis, opsState on its pod (or, under
// OpenKruiseGame, on its GameServer).
package main

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/stack/room"
	"github.com/fleetbench/fleetbench/stack/settings"
	"github.com/fleetbench/fleetbench/stack/stackcmd"
)

func main() { stackcmd.Main("roomserver", run) }

func run(ctx context.Context, args []string, env stackcmd.Env, log *slog.Logger) error {
	fs := flag.NewFlagSet("roomserver", flag.ContinueOnError)
	var cfg room.Config
	listen := fs.String("listen", net.JoinHostPort(env.Or("POD_IP", "127.0.0.1"), "7777"), "address to serve players and probes on")
	fs.StringVar(&cfg.Address, "address", "", "address published for players (default: --listen)")
	fs.StringVar(&cfg.Room, "room", env.Or("POD_NAME", "room-0"), "room id (the pod name)")
	namespace := fs.String("namespace", env.Or("POD_NAMESPACE", "default"), "the pod's namespace")
	redisAddr := fs.String("redis", env.ServiceAddr("REDIS", "127.0.0.1:6379"), "Redis address")
	keyFile := fs.String("token-key-file", "", "file holding the join-token HMAC key (default: $FLEETBENCH_TOKEN_KEY)")
	st := settings.DefaultRoomServer()
	st.Register(fs)
	streamLen := fs.Int64("stream-len", 1200, "room messages kept for replay")
	fs.Float64Var(&cfg.RateLimit, "rate", 50, "messages per second per connection")
	fs.IntVar(&cfg.Burst, "burst", 100, "message burst per connection")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", 10*time.Second, "drop a connection silent this long")
	fs.DurationVar(&cfg.RetryAfter, "retry-after", time.Second, "reconnect hint sent when draining")
	fs.DurationVar(&cfg.ClaimTimeout, "claim-timeout", 2*time.Minute, "free an allocation no player joined within this (keep above the token lifetime)")
	if err := stackcmd.Parse(fs, args); err != nil {
		return err
	}
	if st.Tick <= 0 || st.StateBytes < 0 {
		return stackcmd.UsageError{Err: fmt.Errorf("--tick %s and --state-bytes %d: want a tick above 0 and a size of 0 or more", st.Tick, st.StateBytes)}
	}
	cfg.Capacity, cfg.AfterMatch, cfg.IdleTimeout, cfg.Tick, cfg.StateBytes = st.Capacity, st.AfterMatch, st.IdleTimeout, st.Tick, st.StateBytes
	// Each room its own draw, the same one when it restarts.
	seed := fnv.New64a()
	seed.Write([]byte(cfg.Room))
	cfg.Startup = time.Duration(st.Startup.Sample(rand.New(rand.NewPCG(seed.Sum64(), 0))) * float64(time.Second))
	window, grace := &st.Window, &st.Grace
	if cfg.Address == "" {
		cfg.Address = *listen
	}
	key, err := env.TokenKey(*keyFile)
	if err != nil {
		return stackcmd.UsageError{Err: err}
	}
	cfg.Key = key
	var pub room.Publisher = room.NopPublisher{}
	if env("POD_NAME") != "" {
		rc, err := clientcmd.BuildConfigFromFlags("", env("KUBECONFIG"))
		if err != nil {
			return err
		}
		client, err := kubernetes.NewForConfig(rc)
		if err != nil {
			return err
		}
		pub = room.PodPublisher{Client: client, Namespace: *namespace, Pod: cfg.Room}
		if st.Controller == settings.OKG {
			dyn, err := dynamic.NewForConfig(rc)
			if err != nil {
				return err
			}
			pub = &room.GameServerPublisher{Pods: client, GameServers: dyn, Namespace: *namespace, Pod: cfg.Room}
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(room.RedisOptions(*redisAddr))
	defer rdb.Close()
	log.Info("room server", "room", cfg.Room, "listen", *listen, "redis", *redisAddr, "startup", cfg.Startup)
	return room.Serve(ctx, room.New(cfg, room.NewStore(rdb, *window, *streamLen), pub, log), ln, *grace)
}
