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
// create NAME PROVIDER-ID INSTANCE-TYPE, delete NAME, list (JSON). It is
// started by that provider, not by hand.
func (e env) nodeCmd(args []string) error {
	fs := flag.NewFlagSet("cluster node", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	name := fs.String("name", clusters.DefaultName, "kind cluster name")
	kubeconfig := fs.String("kubeconfig", "", "the cluster's kubeconfig (default: where cluster up wrote it)")
	maxPods := fs.Int("max-pods", 0, "create: the kubelet's pod limit")
	delay := fs.Duration("delay", 0, "create: provision and boot time added before the container starts")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	p, err := kind.New(kind.Options{Spec: clusters.Spec{Name: *name}, Kubeconfig: *kubeconfig})
	if err != nil {
		return err
	}
	if *delay < 0 {
		return usageError{fmt.Errorf("--delay %s: a delay is not negative", *delay)}
	}
	rest := fs.Args()
	switch {
	case len(rest) == 4 && rest[0] == "create":
		if *maxPods < 1 {
			return usageError{fmt.Errorf("--max-pods %d: create needs the kubelet's pod limit, at least 1", *maxPods)}
		}
		return p.CreateNode(e.ctx, kind.NodeRequest{Name: rest[1], ProviderID: rest[2], InstanceType: rest[3],
			MaxPods: *maxPods, Delay: *delay})
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
	return usageError{errors.New("cluster node: create NAME PROVIDER-ID INSTANCE-TYPE | delete NAME | list")}
}
