// Command report renders runs (model.json, measured.json, directories of
// them) and sweeps (sweep.json) into one self-contained HTML report.
package main

import "github.com/fleetbench/fleetbench/internal/cli"

func main() { cli.Main("report", command) }
