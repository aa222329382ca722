package kind

import (
	"testing"
	"time"
)

// TestAutoNodesReadFromDockerPs: the name, provider ID, instance type and
// creation time of each node container, from docker's JSON lines.
func TestAutoNodesReadFromDockerPs(t *testing.T) {
	out := []byte(`{"Names":"fb-rooms-x7jnp","Labels":"io.x-k8s.kind.cluster=fb,dev.fleetbench.provider-id=kind://docker/fb/fb-rooms-x7jnp,dev.fleetbench.instance-type=fleetbench-rooms,io.x-k8s.kind.role=worker","CreatedAt":"2026-12-06 02:19:15 +0000 UTC"}
{"Names":"fb-rooms-abcde","Labels":"dev.fleetbench.provider-id=kind://docker/fb/fb-rooms-abcde","CreatedAt":"2026-12-06 02:20:00 +0000 UTC"}
`)
	got, err := parseAutoNodes(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []AutoNode{
		{Name: "fb-rooms-x7jnp", ProviderID: "kind://docker/fb/fb-rooms-x7jnp", InstanceType: "fleetbench-rooms", Created: time.Date(2026, 12, 6, 2, 19, 15, 0, time.UTC)},
		{Name: "fb-rooms-abcde", ProviderID: "kind://docker/fb/fb-rooms-abcde", Created: time.Date(2026, 12, 6, 2, 20, 0, 0, time.UTC)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d nodes, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].ProviderID != want[i].ProviderID || got[i].InstanceType != want[i].InstanceType || !got[i].Created.Equal(want[i].Created) {
			t.Errorf("node %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := parseAutoNodes([]byte("{not json")); err == nil {
		t.Error("a garbled line was read")
	}
}
