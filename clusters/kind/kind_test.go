package kind

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"

	"github.com/fleetbench/fleetbench/clusters"
)

func TestConfigForScenario(t *testing.T) {
	s := clusters.DefaultSpec()
	s.Name = "fb"
	s.Nodes = clusters.NodePool{PodsPerNode: 7, Min: 3, Max: 10, Boot: time.Second}
	c := Config(s)
	var roles []v1alpha4.NodeRole
	rooms := 0
	for _, n := range c.Nodes {
		roles = append(roles, n.Role)
		if n.Image != NodeImage {
			t.Errorf("node image %q, want the pinned %q", n.Image, NodeImage)
		}
		if n.Labels[clusters.PoolLabel] == clusters.PoolRooms {
			rooms++
			if len(n.KubeadmConfigPatches) != 1 || !strings.Contains(n.KubeadmConfigPatches[0], `value: "9"`) {
				t.Errorf("room node patches %q: want max-pods 7 rooms + 2 daemons", n.KubeadmConfigPatches)
			}
		}
	}
	if roles[0] != v1alpha4.ControlPlaneRole || rooms != 3 || len(c.Nodes) != 5 {
		t.Errorf("nodes %v with %d room workers; want a control plane, a system worker and 3 room workers", roles, rooms)
	}
	// The config must survive kind's own YAML round trip.
	b, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back v1alpha4.Cluster
	if err := yaml.UnmarshalStrict(b, &back); err != nil {
		t.Fatalf("kind config does not round-trip: %v\n%s", err, b)
	}
	if back.Name != "fb" || back.APIVersion != "kind.x-k8s.io/v1alpha4" {
		t.Errorf("round trip lost name or apiVersion:\n%s", b)
	}
}

func TestConfigWithoutMinimumStillHasARoomNode(t *testing.T) {
	s := clusters.DefaultSpec()
	s.Nodes.Min = 0
	if n := len(Config(s).Nodes); n != 3 {
		t.Errorf("%d nodes, want control plane + system + 1 room worker", n)
	}
}

func TestImagePlan(t *testing.T) {
	plan := ImagePlan("/w", []string{"roomserver", "fleetd"})
	if len(plan) != 2 {
		t.Fatalf("plan %v", plan)
	}
	im := plan[0]
	if im.Name != "fleetbench/roomserver:dev" || im.Package != "./cmd/roomserver" || im.Binary != filepath.Join("/w", "roomserver", "roomserver") {
		t.Errorf("image %+v", im)
	}
	if !strings.Contains(im.Dockerfile, "COPY roomserver /roomserver") || !strings.Contains(im.Dockerfile, `ENTRYPOINT ["/roomserver"]`) {
		t.Errorf("Dockerfile:\n%s", im.Dockerfile)
	}
	cmds := im.Commands()
	if got := strings.Join(cmds[0], " "); got != "env CGO_ENABLED=0 go build -trimpath -o /w/roomserver/roomserver ./cmd/roomserver" {
		t.Errorf("build command %q", got)
	}
	if got := strings.Join(cmds[1], " "); got != "docker build -t fleetbench/roomserver:dev /w/roomserver" {
		t.Errorf("docker command %q", got)
	}
}
