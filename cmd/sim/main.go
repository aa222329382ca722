// Command sim is fleetbench's model: it predicts a scenario in seconds
// without a cluster (run), sweeps settings (sweep) and sizes the fleet's
// buffer against the SLOs (check).
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
