package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/deploy"
	"github.com/fleetbench/fleetbench/deploy/manifests"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/results"
	"github.com/fleetbench/fleetbench/scenarios"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// timelineResult is the timeline as it happened: every event fired, and
// the actions among them that failed.
type timelineResult struct {
	events   []results.Event
	failures []error
}

// failed is nil when every action happened, else one error naming each
// that did not: the run is then not the scenario's.
func (t timelineResult) failed() error { return errors.Join(t.failures...) }

// timeline executes the scenario's events at their wall-clock times and
// returns them as they happened.
func timeline(ctx context.Context, c *deploy.Stack, sc *scenarios.Scenario, clk clock) timelineResult {
	rng := rand.New(rand.NewPCG(sc.Seed, scenarios.TimelineStream))
	var done timelineResult
	for i, ev := range sc.Timeline {
		at := clk.start.Add(clk.wall(ev.At.Duration))
		select {
		case <-ctx.Done():
			return done
		case <-time.After(time.Until(at)):
		}
		kind, detail, err := fire(ctx, c, ev, rng, clk.wall)
		if err != nil {
			detail += " (failed: " + err.Error() + ")"
			done.failures = append(done.failures, fmt.Errorf("timeline[%d].%s at %s failed: %w", i, ev.Kind(), ev.At, err))
		}
		done.events = append(done.events, results.Event{At: clk.stamp(time.Now()), Kind: kind, Detail: detail})
	}
	return done
}

// fire takes one timeline action through the cluster's hooks; wall turns
// a scenario duration into wall time.
func fire(ctx context.Context, c *deploy.Stack, ev scenarios.Event, rng *rand.Rand, wall func(time.Duration) time.Duration) (string, string, error) {
	client, err := c.Client()
	if err != nil {
		return "", "", err
	}
	ns := manifests.Namespace
	switch {
	case ev.RollingDeploy != nil:
		return scenarios.KindRollingDeploy, "version " + ev.RollingDeploy.Version, c.SetVersion(ctx, ns, "roomserver", ev.RollingDeploy.Version)
	case ev.Crash != nil:
		// Crashes hit rooms in play: that is where sessions are at stake.
		pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: wire.RoomServerSelector})
		if err != nil {
			return scenarios.KindCrash, "", err
		}
		inPlay := pods.Items[:0]
		for _, p := range pods.Items {
			if wire.PodOpsState(&p) == policy.Allocated.String() {
				inPlay = append(inPlay, p)
			}
		}
		victims := pick(rng, inPlay, ev.Crash.Rooms)
		for _, p := range victims {
			if err := c.KillPod(ctx, ns, p.Name); err != nil {
				return scenarios.KindCrash, "", err
			}
		}
		return scenarios.KindCrash, fmt.Sprintf("%d rooms killed", len(victims)), nil
	case ev.NodeLoss != nil:
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: clusters.PoolLabel + "=" + clusters.PoolRooms})
		if err != nil {
			return scenarios.KindNodeLoss, "", err
		}
		var victims []string
		for _, n := range pick(rng, nodes.Items, ev.NodeLoss.Count) {
			victims = append(victims, n.Name)
		}
		return scenarios.KindNodeLoss, fmt.Sprintf("%d nodes lost", len(victims)), c.LoseNodes(ctx, victims)
	case ev.RedisRestart != nil:
		pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=redis"})
		if err != nil || len(pods.Items) == 0 {
			return scenarios.KindRedisRestart, "", fmt.Errorf("no redis pod: %v", err)
		}
		detail, err := c.HoldDown(ctx, ns, pods.Items[0].Name, wall(ev.RedisRestart.Downtime.Duration))
		return scenarios.KindRedisRestart, detail, err
	}
	return "unknown", "", nil
}

// pick chooses up to n items at random (deterministic for the seed).
func pick[T any](rng *rand.Rand, items []T, n int) []T {
	items = slices.Clone(items)
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	return items[:min(n, len(items))]
}
