// Package buildinfo names the fleetbench build that wrote a run.
package buildinfo

import "runtime/debug"

// Version is the module version the binary was built at, or "dev" for
// a build from a checkout.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
