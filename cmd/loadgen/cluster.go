package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind/nodeimage"
	"github.com/fleetbench/fleetbench/clusters/providers"
	"github.com/fleetbench/fleetbench/clusters/runner"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
	"github.com/fleetbench/fleetbench/deploy"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/internal/cli"
	"github.com/fleetbench/fleetbench/scenarios"
)

// clusterFlags are shared by up, down and status.
type clusterFlags struct {
	provider, scenario, name, stateDir, kubeconfig, binDir, nodeImage string
	controller                                                        string
	apiPort                                                           int
	images                                                            imageFlag
	sets                                                              []scenarios.Override
	verbose                                                           bool
}

func (f *clusterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.provider, "provider", "local", "cluster provider: "+strings.Join(providers.Names, ", "))
	fs.StringVar(&f.scenario, "scenario", "", "scenario FILE (or shipped name) whose node pool and delays the cluster realizes")
	fs.StringVar(&f.name, "name", clusters.DefaultName, "cluster name")
	fs.StringVar(&f.stateDir, "state-dir", "", "local: state directory (default ${XDG_STATE_HOME:-~/.local/state}/fleetbench/NAME)")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kube: the existing cluster's kubeconfig; kind: where to write it")
	fs.StringVar(&f.binDir, "bin-dir", "", "local: directory of the stack's binaries (default: this binary's directory)")
	fs.IntVar(&f.apiPort, "api-port", 0, "local, kind: kube-apiserver port on 127.0.0.1 (default: a free port)")
	fs.StringVar(&f.nodeImage, "node-image", "", `kind: node image; default: kind's published image when Docker holds it, else fleetbench's offline build; "kind": kind's published image (pulled)`)
	fs.Var(&f.images, "image", "local: IMAGE=COMMAND maps a container image to a local command (repeatable)")
	fs.StringVar(&f.controller, "controller", "", "fleet controller the cluster hosts: fleetd (the stack's) or okg (installs OpenKruise, kruise-game and KEDA; kind only) (default: the scenario's fleet.controller, else fleetd)")
	fs.BoolVar(&f.verbose, "v", false, "log progress details")
	fs.Func("set", "override a scenario field: PATH=VALUE (repeatable)", func(v string) error {
		o, err := scenarios.ParseOverride(v)
		f.sets = append(f.sets, o)
		return err
	})
}

func (e env) clusterCmd(args []string) (int, error) {
	if len(args) == 0 {
		return 0, usageError{errors.New("cluster needs a subcommand: up, down, status or build")}
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "runner":
		return 0, e.runnerCmd(args)
	case "build":
		return 0, e.buildCmd(args)
	case "node":
		return 0, e.nodeCmd(args)
	case "up", "down", "status", "deploy":
	default:
		return 0, usageError{fmt.Errorf("unknown cluster subcommand %q", sub)}
	}
	fs := flag.NewFlagSet("cluster "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f clusterFlags
	f.register(fs)
	asJSON := fs.Bool("json", false, "status: print JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, err
		}
		return 0, usageError{err}
	}
	if fs.NArg() > 0 {
		return 0, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	p, err := e.provider(f, nil)
	if err != nil {
		return 0, err
	}
	switch sub {
	case "up":
		if err := p.Up(e.ctx); err != nil {
			return 0, err
		}
		fmt.Fprintf(e.stdout, "export KUBECONFIG=%s\n", p.Kubeconfig())
		return 0, nil
	case "down":
		return 0, p.Down(e.ctx)
	case "deploy":
		return 0, e.deploy(p, f)
	}
	s, err := p.Status(e.ctx)
	if err != nil {
		return 0, err
	}
	printStatus(e.stdout, s, *asJSON)
	if !s.Up {
		return cli.Fail, nil
	}
	return 0, nil
}

// scenario loads --scenario, or the shipped steady scenario.
func (f clusterFlags) load() (*scenarios.Scenario, error) {
	name := f.scenario
	if name == "" {
		name = "steady"
	}
	doc, dir, err := scenarios.Read(name)
	if err != nil {
		return nil, cli.Input(err)
	}
	sc, err := scenarios.ParseWith(doc, dir, f.sets)
	if err != nil {
		return nil, cli.Inputf("scenario %s:\n%w", name, err)
	}
	return sc, nil
}

// deploy puts the stack on a cluster that is up, sized by the scenario.
func (e env) deploy(p clusters.Provider, f clusterFlags) error {
	sc, err := f.load()
	if err != nil {
		return err
	}
	settings, err := manifests.SettingsFor(sc)
	if err != nil {
		return err
	}
	c := deploy.On(clusters.New(p, e.logger(f.verbose)))
	if err := c.Install(e.ctx, settings, 1); err != nil {
		return err
	}
	addr, err := c.WaitServiceAddress(e.ctx, manifests.Namespace, "matchmaker", "http")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "stack deployed in namespace %s; matchmaker http://%s/v1/match\n", manifests.Namespace, addr)
	return nil
}

// provider is the cluster provider sized for sc (nil: loaded from
// --scenario, when given).
func (e env) provider(f clusterFlags, sc *scenarios.Scenario) (clusters.Provider, error) {
	if !slices.Contains(providers.Names, f.provider) {
		return nil, cli.Inputf("--provider %q: want one of %v", f.provider, providers.Names)
	}
	spec := clusters.DefaultSpec()
	if sc == nil && f.scenario != "" {
		var err error
		if sc, err = f.load(); err != nil {
			return nil, err
		}
	}
	if sc != nil {
		spec = clusters.SpecFor(sc)
	}
	spec.Name = f.name
	switch f.controller {
	case "":
	case clusters.ControllerFleetd, clusters.ControllerOKG:
		if sc != nil && cmp.Or(spec.Controller, clusters.ControllerFleetd) != f.controller {
			return nil, cli.Inputf("--controller %s: the scenario's fleet.controller is %s", f.controller, cmp.Or(spec.Controller, clusters.ControllerFleetd))
		}
		spec.Controller = f.controller
	default:
		return nil, cli.Inputf("--controller %q: want fleetd or okg", f.controller)
	}
	if spec.Controller == clusters.ControllerOKG && f.provider != "kind" {
		at := "--controller okg"
		if sc != nil && sc.Fleet.Controller == scenarios.OKG {
			at = "fleet.controller okg"
		}
		return nil, cli.Inputf("%s: %w, not on %s", at, providers.ErrOKGOnKindOnly, f.provider)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	binDir := f.binDir
	if binDir == "" {
		binDir = filepath.Dir(self)
	}
	return providers.New(f.provider, providers.Options{
		Spec: spec, StateDir: f.stateDir, APIPort: f.apiPort,
		RunnerCmd: []string{self, "cluster", "runner"}, NodeCmd: []string{self, "cluster", "node"}, Images: f.images.m, BinDir: binDir,
		Kubeconfig: f.kubeconfig, NodeImage: f.nodeImage, Progress: e.stdout, Logger: e.logger(f.verbose),
	})
}

// buildCmd is `cluster build`: what a provider needs built here — the
// local cluster's components, or kind's offline node image.
func (e env) buildCmd(args []string) error {
	fs := flag.NewFlagSet("cluster build", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	provider := fs.String("provider", "local", "local (the control plane's components) or kind (the offline node image)")
	controller := fs.String("controller", "fleetd", "fleetd (built with the stack) or okg (OpenKruise, kruise-game and KEDA too)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *controller != "fleetd" && *controller != "okg" {
		return usageError{fmt.Errorf("--controller %q: cluster build knows fleetd and okg", *controller)}
	}
	dir, err := toolchain.DefaultCacheDir()
	if err != nil {
		return err
	}
	if *controller == "okg" {
		if _, err := toolchain.Ensure(e.ctx, dir, e.stdout, toolchain.OKG()); err != nil {
			return err
		}
	}
	switch *provider {
	case "local":
		_, err = toolchain.Ensure(e.ctx, dir, e.stdout, toolchain.Local())
		return err
	case "kind":
		ref, err := nodeimage.Ensure(e.ctx, nodeimage.Options{CacheDir: dir, Progress: e.stdout})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "kind node image: %s\n", ref)
		// Karpenter with the kind provider: node autoscaling on kind.
		_, err = toolchain.Ensure(e.ctx, dir, e.stdout, []toolchain.Component{toolchain.KindKarpenter()})
		return err
	}
	return usageError{fmt.Errorf("--provider %q: cluster build knows local and kind", *provider)}
}

// runnerCmd is the pod runner the local provider starts in the background.
func (e env) runnerCmd(args []string) error {
	fs := flag.NewFlagSet("cluster runner", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	path := fs.String("config", "", "runner configuration written by the local provider")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	cfg, err := runner.ReadConfig(*path)
	if err != nil {
		return err
	}
	r, err := runner.New(cfg, e.logger(true))
	if err != nil {
		return err
	}
	return r.Run(e.ctx)
}

func printStatus(w io.Writer, s clusters.Status, asJSON bool) {
	if asJSON {
		b, _ := json.MarshalIndent(s, "", "  ")
		fmt.Fprintln(w, string(b))
		return
	}
	state := "down"
	if s.Up {
		state = fmt.Sprintf("up: %s, %d/%d nodes Ready", s.Server, s.ReadyNodes, s.Nodes)
	} else if s.Problem != "" {
		state = "unhealthy: " + s.Problem
	}
	fmt.Fprintf(w, "%s cluster %q %s\n", s.Provider, s.Name, state)
	if s.Kubeconfig != "" && s.Up {
		fmt.Fprintf(w, "kubeconfig %s\n", s.Kubeconfig)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range s.Components {
		run := "running"
		if !c.Running {
			run = "STOPPED"
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\n", c.Name, c.PID, run, c.Log)
	}
	tw.Flush()
}

// imageFlag collects --image IMAGE=COMMAND.
type imageFlag struct{ m map[string][]string }

func (f *imageFlag) String() string { return "" }

func (f *imageFlag) Set(v string) error {
	image, cmd, ok := strings.Cut(v, "=")
	if !ok || image == "" || strings.TrimSpace(cmd) == "" {
		return fmt.Errorf("want IMAGE=COMMAND, got %q", v)
	}
	if f.m == nil {
		f.m = map[string][]string{}
	}
	f.m[image] = strings.Fields(cmd)
	return nil
}
