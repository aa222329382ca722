// Package providers picks a cluster provider by name.
package providers

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind"
	"github.com/fleetbench/fleetbench/clusters/kube"
	"github.com/fleetbench/fleetbench/clusters/local"
)

// Names lists the providers.
var Names = []string{"local", "kind", "kube"}

// ErrOKGOnKindOnly: OpenKruiseGame's and KEDA's webhooks and metrics
// API reach their pods through Services, and their images are loaded
// into kind's nodes; the local provider's pods have no Service network
// for the API server to call, and a kubeconfig's cluster would need the
// images in a registry.
var ErrOKGOnKindOnly = errors.New("the okg controller (OpenKruise, kruise-game, KEDA) is installed on kind only")

// Options configure whichever provider is chosen; each uses its part.
type Options struct {
	Spec       clusters.Spec
	StateDir   string              // local
	APIPort    int                 // local, kind
	RunnerCmd  []string            // local
	NodeCmd    []string            // kind: node containers for Karpenter
	Images     map[string][]string // local
	BinDir     string              // local: the stack's binaries
	Kubeconfig string              // kube: the existing cluster; kind: where to write
	NodeImage  string              // kind: "" (offline build), "kind" (kind's published) or an image
	Progress   io.Writer
	Logger     *slog.Logger
}

// New returns the named provider.
func New(name string, o Options) (clusters.Provider, error) {
	if o.Spec.Controller == clusters.ControllerOKG && name != "kind" {
		return nil, fmt.Errorf("%w, not on %s", ErrOKGOnKindOnly, name)
	}
	switch name {
	case "local":
		return local.New(local.Options{
			Spec: o.Spec, StateDir: o.StateDir, APIServerPort: o.APIPort,
			RunnerCommand: o.RunnerCmd, Images: o.Images, BinDir: o.BinDir,
			Progress: o.Progress, Logger: o.Logger,
		})
	case "kind":
		return kind.New(kind.Options{Spec: o.Spec, Kubeconfig: o.Kubeconfig, NodeImage: o.NodeImage, APIPort: o.APIPort, Progress: o.Progress, NodeCommand: o.NodeCmd})
	case "kube":
		return kube.New(o.Kubeconfig, o.Spec.Name)
	}
	return nil, fmt.Errorf("unknown provider %q (want one of %v)", name, Names)
}
