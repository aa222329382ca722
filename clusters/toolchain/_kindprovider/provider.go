package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/awslabs/operatorpkg/status"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"sigs.k8s.io/karpenter/kwok/apis/v1alpha1"
	v1 "sigs.k8s.io/karpenter/pkg/apis/v1"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	"sigs.k8s.io/karpenter/pkg/scheduling"
)

// providerPrefix is kind's own provider ID form: kind://docker/CLUSTER/NODE.
const providerPrefix = "kind://docker/"

// provider is Karpenter's cloud provider over kind node containers.
type provider struct {
	cluster string // kind cluster name, in provider IDs
	types   []*cloudprovider.InstanceType
	nodes   nodeCommand
}

func (p *provider) Name() string { return "kind" }

// GetSupportedNodeClasses: kwok's node class, whose CRD defaults it Ready;
// the node pool and class are the local cluster's.
func (p *provider) GetSupportedNodeClasses() []status.Object {
	return []status.Object{&v1alpha1.KWOKNodeClass{}}
}

func (p *provider) GetInstanceTypes(context.Context, *v1.NodePool) ([]*cloudprovider.InstanceType, error) {
	return p.types, nil
}

func (p *provider) IsDrifted(context.Context, *v1.NodeClaim) (cloudprovider.DriftReason, error) {
	return "", nil
}

// RepairPolicies: none; a node that fails is the run's finding, not
// something to repair under it.
func (p *provider) RepairPolicies() []cloudprovider.RepairPolicy { return nil }

// Create makes a node container for the claim and boots it in the
// background, as a cloud returns an instance before it boots: Karpenter
// waits for the node to register (its registration TTL bounds a node
// that never does), and keeps provisioning meanwhile — a create that
// blocked for the boot held every other claim behind it.
func (p *provider) Create(ctx context.Context, nc *v1.NodeClaim) (*v1.NodeClaim, error) {
	it, offering, err := p.choose(nc)
	if err != nil {
		return nil, cloudprovider.NewInsufficientCapacityError(err)
	}
	// The container, its hostname and so the Node carry the cluster's
	// name, as kind's own nodes do: two clusters' claims never collide.
	name := p.cluster + "-" + nc.Name
	id := providerPrefix + p.cluster + "/" + name
	if err := p.nodes.create(ctx, name, id, it.Name, nc.Name); err != nil {
		return nil, cloudprovider.NewCreateError(err, "NodeCreateFailed", err.Error())
	}
	go func() {
		// A node that fails is removed (List no longer shows it, and
		// Karpenter collects its claim) and leaves an Event saying why.
		if err := p.nodes.start(context.WithoutCancel(ctx), name, id, it.Name, nc.Name); err != nil {
			fmt.Fprintf(os.Stderr, "kind provider: node %s: %v\n", name, err)
		}
	}()
	labels := maps.Clone(nc.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	for _, r := range nc.Spec.Requirements {
		if len(r.Values) == 1 && r.Operator == corev1.NodeSelectorOpIn {
			labels[r.Key] = r.Values[0]
		}
	}
	for _, reqs := range []scheduling.Requirements{it.Requirements, offering.Requirements} {
		for _, r := range reqs {
			if r.Len() == 1 && r.Operator() == corev1.NodeSelectorOpIn {
				labels[r.Key] = r.Values()[0]
			}
		}
	}
	labels[corev1.LabelInstanceTypeStable] = it.Name
	return p.claim(node{Name: name, ProviderID: id, InstanceType: it.Name, Created: time.Now()}, labels), nil
}

// choose is the cheapest available offering among the claim's instance
// types, as kwok's provider chooses.
func (p *provider) choose(nc *v1.NodeClaim) (*cloudprovider.InstanceType, *cloudprovider.Offering, error) {
	reqs := scheduling.NewNodeSelectorRequirementsWithMinValues(nc.Spec.Requirements...)
	var best *cloudprovider.InstanceType
	var cheapest *cloudprovider.Offering
	for _, it := range p.types {
		if !reqs.Get(corev1.LabelInstanceTypeStable).Has(it.Name) {
			continue
		}
		offs := it.Offerings.Available().Compatible(reqs)
		if len(offs) == 0 {
			continue
		}
		if o := offs.Cheapest(); cheapest == nil || o.Price < cheapest.Price {
			best, cheapest = it, o
		}
	}
	if best == nil {
		return nil, nil, fmt.Errorf("no instance type of %d offers what claim %s requires", len(p.types), nc.Name)
	}
	return best, cheapest, nil
}

// Delete removes the claim's container; Karpenter has drained the node
// and deletes the Node object itself.
func (p *provider) Delete(ctx context.Context, nc *v1.NodeClaim) error {
	name := strings.TrimPrefix(nc.Status.ProviderID, providerPrefix+p.cluster+"/")
	if name == "" || name == nc.Status.ProviderID {
		return cloudprovider.NewNodeClaimNotFoundError(fmt.Errorf("claim %s has no kind provider ID", nc.Name))
	}
	if err := p.nodes.remove(ctx, name); err != nil {
		return err
	}
	return cloudprovider.NewNodeClaimNotFoundError(fmt.Errorf("node container %s removed", name))
}

func (p *provider) Get(ctx context.Context, providerID string) (*v1.NodeClaim, error) {
	n, err := p.nodes.get(ctx, providerID)
	if errors.Is(err, errNoNode) {
		return nil, cloudprovider.NewNodeClaimNotFoundError(err)
	}
	if err != nil {
		return nil, err
	}
	return p.claim(n, nil), nil
}

func (p *provider) List(ctx context.Context) ([]*v1.NodeClaim, error) {
	nodes, err := p.nodes.list(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*v1.NodeClaim, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, p.claim(n, nil))
	}
	return out, nil
}

// claim is the NodeClaim Karpenter keeps for a node container: its
// provider ID and its instance type's capacity.
func (p *provider) claim(n node, labels map[string]string) *v1.NodeClaim {
	if labels == nil {
		labels = map[string]string{corev1.LabelInstanceTypeStable: n.InstanceType}
	}
	nc := &v1.NodeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: labels, CreationTimestamp: metav1.NewTime(n.Created)},
		Status:     v1.NodeClaimStatus{NodeName: n.Name, ProviderID: n.ProviderID},
	}
	for _, it := range p.types {
		if it.Name == n.InstanceType {
			nc.Status.Capacity, nc.Status.Allocatable = it.Capacity, it.Allocatable()
		}
	}
	return nc
}
