package local_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters/runner"
)

// The test binary doubles as the pod runner and as the pods' test HTTP
// server, so the local cluster runs without building anything else.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "fleetbench-runner":
			os.Exit(runRunner(os.Args[2:]))
		case "fleetbench-testserver":
			os.Exit(testServer())
		}
	}
	os.Exit(m.Run())
}

func runRunner(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if len(args) != 2 || args[0] != "--config" {
		fmt.Fprintln(os.Stderr, "want --config FILE")
		return 2
	}
	cfg, err := runner.ReadConfig(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	r, err := runner.New(cfg, log)
	if err == nil {
		err = r.Run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// testServer answers GET / with "NAME VERSION" on $POD_IP:$PORT. On
// SIGTERM it records the signal in $MARKERS/NAME and exits cleanly, so a
// test can tell a graceful stop from a kill.
func testServer() int {
	name, version := os.Getenv("POD_NAME"), os.Getenv("FLEETBENCH_VERSION")
	ln, err := net.Listen("tcp", net.JoinHostPort(os.Getenv("POD_IP"), os.Getenv("PORT")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%s %s", name, version)
	}), ReadHeaderTimeout: time.Second}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go srv.Serve(ln)
	<-term
	srv.Close()
	if err := os.WriteFile(filepath.Join(os.Getenv("MARKERS"), name), []byte("SIGTERM\n"), 0o644); err != nil {
		return 1
	}
	return 0
}
