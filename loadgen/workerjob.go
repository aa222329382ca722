package loadgen

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/jobs"
	"github.com/fleetbench/fleetbench/scenarios"
)

// DefaultWorkerResources: a worker is mostly idle WebSockets, ~20 KB of
// memory a session: 512 MiB holds ~25,000.
func DefaultWorkerResources() jobs.Resources {
	return jobs.Resources{CPU: resource.MustParse("250m"), Memory: resource.MustParse("512Mi")}
}

// workerJobName names the Job, its ServiceAccount, Role and RoleBinding.
const workerJobName = "loadgen-worker"

// checkWorkers is what can be known before the stack is deployed: the
// kubeconfig's permissions, and a scenario the workers can read.
func checkWorkers(ctx context.Context, c *clusters.Cluster, sc *scenarios.Scenario) error {
	for i, seg := range sc.Arrivals.Segments {
		if seg.Trace != nil {
			return fmt.Errorf("%w: arrivals.segments[%d].trace: a trace file is not sent to the workers; run it in process", ErrWorkers, i)
		}
	}
	client, err := c.Client()
	if err != nil {
		return err
	}
	return jobs.CheckPermissions(ctx, client, manifests.Namespace)
}
