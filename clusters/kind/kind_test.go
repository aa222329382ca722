package kind

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/kind/nodeimage"
)

func TestConfigForScenario(t *testing.T) {
	s := clusters.DefaultSpec()
	s.Name = "fb"
	s.Nodes = clusters.NodePool{PodsPerNode: 7, Min: 1, Initial: 3, Max: 10, Boot: time.Second}
	c := Config(s, "img:1", true, Mode{Unprivileged: true})
	var roles []v1alpha4.NodeRole
	rooms := 0
	for _, n := range c.Nodes {
		roles = append(roles, n.Role)
		if n.Image != "img:1" {
			t.Errorf("node image %q, want img:1", n.Image)
		}
		if n.Labels[clusters.PoolLabel] == clusters.PoolRooms {
			rooms++
			if len(n.KubeadmConfigPatches) != 1 || !strings.Contains(n.KubeadmConfigPatches[0], `value: "8"`) {
				t.Errorf("room node patches %q: want max-pods 7 rooms + kube-proxy", n.KubeadmConfigPatches)
			}
		}
	}
	if roles[0] != v1alpha4.ControlPlaneRole || rooms != 3 || len(c.Nodes) != 5 {
		t.Errorf("nodes %v with %d room workers; want a control plane, a system worker and nodes.initial=3 room workers", roles, rooms)
	}
	if !c.Networking.DisableDefaultCNI {
		t.Error("the offline image has no kindnetd: the default CNI must be off")
	}
	patches := strings.Join(c.KubeadmConfigPatches, "---\n")
	for _, want := range []string{"failCgroupV1: false", "cgroupDriver: cgroupfs", "oomScoreAdj: 0", "maxPerCore: 0",
		`imageTag: "` + nodeimage.EtcdTag + `"`, `imageTag: "` + nodeimage.CoreDNSTag + `"`} {
		if !strings.Contains(patches, want) {
			t.Errorf("kubeadm patches lack %q:\n%s", want, patches)
		}
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

func TestConfigPublishedImageKeepsKindDefaults(t *testing.T) {
	c := Config(clusters.DefaultSpec(), PublishedImage, false, Mode{})
	if c.Networking.DisableDefaultCNI || len(c.KubeadmConfigPatches) != 0 {
		t.Errorf("kind's own image got the offline image's network or patches: %+v %q", c.Networking, c.KubeadmConfigPatches)
	}
	privileged := strings.Join(offlinePatches(Mode{}), "")
	if strings.Contains(privileged, "oomScoreAdj") {
		t.Error("privileged nodes may set kubelet's OOM score: no patch wanted")
	}
}

func TestConfigWithoutInitialStillHasARoomNode(t *testing.T) {
	s := clusters.DefaultSpec()
	s.Nodes.Initial = 0
	if n := len(Config(s, "i", true, Mode{}).Nodes); n != 3 {
		t.Errorf("%d nodes, want control plane + system + 1 room worker", n)
	}
}

func TestStackImages(t *testing.T) {
	images := StackImages("/w", []string{"roomserver", "fleetd"})
	if len(images) != 2 {
		t.Fatalf("images %v", images)
	}
	im := images[0]
	if im.Ref != "fleetbench/roomserver:dev" || im.Entrypoint[0] != "/roomserver" || im.Layers[0].Files["/roomserver"] != filepath.Join("/w", "roomserver") {
		t.Errorf("image %+v", im)
	}
	if got := strings.Join(BuildCommand("/w", "roomserver"), " "); got != "go build -trimpath -o /w/roomserver github.com/fleetbench/fleetbench/cmd/roomserver" {
		t.Errorf("build command %q", got)
	}
}

// The wrapper is run for real, with a stand-in for the real docker that
// prints the arguments it got, one per line.
func TestWrapperRewritesOnlyPrivileged(t *testing.T) {
	dir := t.TempDir()
	echo := filepath.Join(dir, "real-docker")
	if err := os.WriteFile(echo, []byte("#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(dir, "docker")
	if err := os.WriteFile(wrapper, []byte(wrapperScript(echo)), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []string {
		out, err := exec.Command(wrapper, args...).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	}
	got := run("run", "--name", "n 1", "--privileged", "--volume", "/var", "img")
	want := append(append([]string{"run", "--name", "n 1"}, UnprivilegedFlags()...), "--volume", "/var", "img")
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("docker run rewritten to\n%q\nwant\n%q", got, want)
	}
	if got := run("exec", "--privileged", "-i", "n", "ctr"); strings.Join(got, "|") != "exec|-i|n|ctr" {
		t.Errorf("docker exec --privileged became %q: want the flag dropped, the rest unchanged", got)
	}
	if got := run("ps", "-a", "--filter", "label=a b"); strings.Join(got, "|") != "ps|-a|--filter|label=a b" {
		t.Errorf("docker ps changed: %q", got)
	}
}
