package okg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/fleetbench/fleetbench/clusters"
)

// startTimeout bounds each controller's start: leader elected, webhooks
// and certificates in place. Upstream's probes begin at 20–25 s (KEDA);
// minutes mean it will not start.
const startTimeout = 3 * time.Minute

// Install applies the controllers in order, each waited for before the
// next: OpenKruise's pod webhook admits every later pod, so nothing may
// start before it serves. A controller that does not start is named with
// its pod's last log lines, and everything Install applied is deleted
// again: a webhook whose server is gone would refuse the cluster's pods.
func Install(ctx context.Context, cfg *rest.Config, ctls []Controller, progress io.Writer) (err error) {
	var applied []*unstructured.Unstructured
	defer func() {
		if err != nil && len(applied) > 0 {
			err = errors.Join(err, clusters.DeleteObjects(context.WithoutCancel(ctx), cfg, applied))
		}
	}()
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	for _, c := range ctls {
		applied = append(applied, c.Objects...)
		start := time.Now()
		if err := clusters.ApplyObjects(ctx, cfg, c.Objects); err != nil {
			return fmt.Errorf("okg: installing %s %s: %w", c.Name, c.Version, err)
		}
		for _, d := range deployments(c.Objects) {
			if err := waitAvailable(ctx, client, d, startTimeout); err != nil {
				return fmt.Errorf("okg: %s %s did not start: %w", c.Name, c.Version, err)
			}
		}
		for _, a := range apiServices(c.Objects) {
			if err := waitAPIService(ctx, cfg, a, startTimeout); err != nil {
				return fmt.Errorf("okg: %s %s: %w", c.Name, c.Version, err)
			}
		}
		fmt.Fprintf(progress, "okg: %s %s up in %s\n", c.Name, c.Version, time.Since(start).Round(time.Second))
	}
	return nil
}

func deployments(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	return ofKind(objs, "Deployment")
}

func apiServices(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	return ofKind(objs, "APIService")
}

func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}
