//go:build e2e

package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetbench/fleetbench/sizing"
)

// TestPoolCheckAndPlanAreTheLocalOnes: a sizing check and a plan whose
// days run on a Pool of 3 worker pods give, byte for byte, the reports a
// local check and plan give with 3 workers (the same chunks of days, so
// the same stops), and the Pool leaves nothing behind.
func TestPoolCheckAndPlanAreTheLocalOnes(t *testing.T) {
	if testing.Short() {
		t.Skip("a check on a local cluster")
	}
	doc, err := os.ReadFile("testdata/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := sizing.DefaultPlanOptions()
	opts.Step = 10 * time.Minute
	opts.Target, opts.Days, opts.MaxDays, opts.SearchDays, opts.Workers = 0.8, 10, 40, 5, 3
	opts.Version = "test"
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	localCheck, err := sizing.Check(ctx, doc, ".", opts.CheckOptions)
	if err != nil {
		t.Fatal(err)
	}
	localPlan, err := sizing.Plan(ctx, doc, ".", opts)
	if err != nil {
		t.Fatal(err)
	}

	cfg := clusterConfig(ctx, t, "check-test", 3)
	client := cfg.Client
	pool, err := cfg.StartPool(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	remote := opts
	remote.RunJobs = pool.RunJobs
	started := time.Now()
	remoteCheck, err := sizing.Check(ctx, doc, ".", remote.CheckOptions)
	if err != nil {
		t.Fatal(err)
	}
	remotePlan, err := sizing.Plan(ctx, doc, ".", remote)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("check and plan on the pool: %d batches in %s", pool.gen, time.Since(started).Round(time.Millisecond))
	if err := pool.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]any{{localCheck, remoteCheck}, {localPlan, remotePlan}} {
		a, _ := json.MarshalIndent(pair[0], "", " ")
		b, _ := json.MarshalIndent(pair[1], "", " ")
		if !bytes.Equal(a, b) {
			t.Errorf("the report differs:\nlocal   %s\ncluster %s", a, b)
		}
	}
	// The namespace it created goes (Terminating until its objects are).
	if ns, err := client.CoreV1().Namespaces().Get(ctx, "check-test", metav1.GetOptions{}); err == nil && ns.DeletionTimestamp == nil {
		t.Error("the pool's namespace is still there")
	}
}
