package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind"
)

// nodeCmd is the kind node command Karpenter's kind provider runs:
// create|start NAME PROVIDER-ID INSTANCE-TYPE CLAIM, delete NAME, list
// (JSON). It is started by that provider, not by hand: create makes the
// container at once, as a cloud makes an instance; start boots and joins
// it (minutes, in the background of Karpenter's create).
func (e env) nodeCmd(args []string) error {
	fs := flag.NewFlagSet("cluster node", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	name := fs.String("name", clusters.DefaultName, "kind cluster name")
	kubeconfig := fs.String("kubeconfig", "", "the cluster's kubeconfig (default: where cluster up wrote it)")
	maxPods := fs.Int("max-pods", 0, "start: the kubelet's pod limit")
	delay := fs.Duration("delay", 0, "start: provision and boot time added before the container starts")
	delayMax := fs.Duration("delay-max", 0, "start: the delay's upper bound (uniform on [delay, delay-max]; default: the delay)")
	joinTimeout := fs.Duration("join-timeout", kind.DefaultJoinTimeout, "start: how long the node may take to start, join and register after its delay")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	opts := kind.Options{Spec: clusters.Spec{Name: *name}, Kubeconfig: *kubeconfig}
	if fs.Arg(0) == "start" {
		// A start's stdout is its progress, which Karpenter's kind
		// provider copies into its log: the node's stages, timed
		// (list's stdout is its answer).
		opts.Progress = e.stdout
	}
	p, err := kind.New(opts)
	if err != nil {
		return err
	}
	if *delay < 0 {
		return usageError{fmt.Errorf("--delay %s: a delay is not negative", *delay)}
	}
	if *delayMax != 0 && *delayMax < *delay {
		return usageError{fmt.Errorf("--delay-max %s: below --delay %s", *delayMax, *delay)}
	}
	if *joinTimeout <= 0 {
		return usageError{fmt.Errorf("--join-timeout %s: must be positive", *joinTimeout)}
	}
	rest := fs.Args()
	switch {
	case len(rest) == 5 && (rest[0] == "create" || rest[0] == "start"):
		r := kind.NodeRequest{Name: rest[1], ProviderID: rest[2], InstanceType: rest[3], Claim: rest[4],
			MaxPods: *maxPods, Delay: *delay, DelayMax: *delayMax, JoinTimeout: *joinTimeout}
		if rest[0] == "create" {
			return p.CreateNode(e.ctx, r)
		}
		if *maxPods < 1 {
			return usageError{fmt.Errorf("--max-pods %d: start needs the kubelet's pod limit, at least 1", *maxPods)}
		}
		return p.StartNode(e.ctx, r)
	case len(rest) == 2 && rest[0] == "delete":
		return p.DeleteNode(e.ctx, rest[1])
	case len(rest) == 1 && rest[0] == "list":
		list, err := p.AutoNodes(e.ctx)
		if err != nil {
			return err
		}
		if list == nil {
			list = []kind.AutoNode{}
		}
		return json.NewEncoder(e.stdout).Encode(list)
	}
	return usageError{errors.New("cluster node: create|start NAME PROVIDER-ID INSTANCE-TYPE CLAIM | delete NAME | list")}
}
