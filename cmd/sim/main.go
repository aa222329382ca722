// Command sim is fleetbench's model: it predicts a scenario in seconds
// without a cluster (run), sweeps settings (sweep) and sizes the fleet's
// buffer against the SLOs (check).
package main

import "github.com/fleetbench/fleetbench/internal/cli"

func main() { cli.Main("sim", command) }
