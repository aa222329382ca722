// Command report renders runs (model.json, measured.json, directories of
// them) and sweeps (sweep.json) into one self-contained HTML report.
package main

import (
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
