package kind

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind/ociarchive"
	"github.com/fleetbench/fleetbench/clusters/okg"
	"github.com/fleetbench/fleetbench/clusters/toolchain"
)

// okgParts are OpenKruiseGame's and KEDA's images and objects, built
// before the cluster is made: a cold build takes minutes and can fail.
type okgParts struct {
	images []ociarchive.Image
	ctls   []okg.Controller
}

// prepareOKG builds OpenKruise, kruise-game and KEDA (once, cached) and
// renders their install.
func (c *Cluster) prepareOKG(ctx context.Context) (*okgParts, error) {
	tc, err := toolchain.Ensure(ctx, c.opts.CacheDir, c.opts.Progress, toolchain.OKG())
	if err != nil {
		return nil, fmt.Errorf("kind: %w", err)
	}
	images, err := okg.Images(tc)
	if err != nil {
		return nil, err
	}
	ctls, err := okg.Render(tc)
	if err != nil {
		return nil, err
	}
	return &okgParts{images, ctls}, nil
}

// installOKG loads the controllers' images into the system node they run
// on and installs them.
func (c *Cluster) installOKG(ctx context.Context, p *okgParts) error {
	if err := c.loadSystemImages(ctx, p.images); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.opts.Kubeconfig)
	if err != nil {
		return fmt.Errorf("kind: its kubeconfig is unusable: %w", err)
	}
	return okg.Install(ctx, cfg, p.ctls, c.opts.Progress)
}

// loadSystemImages imports images into the system pool's nodes only:
// nodes Karpenter adds hold rooms.
func (c *Cluster) loadSystemImages(ctx context.Context, images []ociarchive.Image) error {
	client, _, err := c.client()
	if err != nil {
		return err
	}
	system, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: clusters.PoolLabel + "=" + clusters.PoolSystem})
	if err != nil {
		return fmt.Errorf("kind: listing the system nodes: %w", err)
	}
	var names []string
	for _, n := range system.Items {
		names = append(names, n.Name)
	}
	all, err := c.provider().ListNodes(c.opts.Spec.Name)
	if err != nil {
		return fmt.Errorf("kind: listing nodes: %w", err)
	}
	archive := filepath.Join(c.stateDir, "kind-"+c.opts.Spec.Name+"-okg.tar")
	if err := ociarchive.WriteFile(archive, images...); err != nil {
		return fmt.Errorf("kind: OpenKruiseGame's images: %w", err)
	}
	defer os.Remove(archive)
	loaded := 0
	for _, n := range all {
		if !slices.Contains(names, n.String()) {
			continue
		}
		if err := loadArchive(n, archive); err != nil {
			return fmt.Errorf("kind: loading OpenKruiseGame's images into %s: %w", n, err)
		}
		loaded++
	}
	if loaded == 0 {
		return fmt.Errorf("kind: no system node (label %s=%s) to load OpenKruiseGame's images into", clusters.PoolLabel, clusters.PoolSystem)
	}
	return nil
}

func loadArchive(n nodes.Node, archive string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	return nodeutils.LoadImageArchive(n, f)
}
