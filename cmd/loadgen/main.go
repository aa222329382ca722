// Command loadgen is fleetbench's real run: it brings up a cluster with
// the stack (cluster up/down/status) and replays scenarios against it.
package main

import "github.com/fleetbench/fleetbench/internal/cli"

func main() { cli.Main("loadgen", command) }
