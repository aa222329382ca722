package kind

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
)

// TestJoinFailureEventNamesTheNodeAndKeepsTheKubeletsLines: the Event a
// failed node leaves is on its claim, names the node and, cut to the
// API's size, keeps the end of the message where the kubelet's lines are.
func TestJoinFailureEventNamesTheNodeAndKeepsTheKubeletsLines(t *testing.T) {
	r := NodeRequest{Name: "fleetbench-rooms-x7k", Claim: "rooms-x7k"}
	cause := errors.New("kubeadm join: timed out; its kubelet said:\n" + strings.Repeat("noise ", 400) + "\ninvalid configuration: maxPods must not be negative")
	e := joinFailedEvent(r, cause, time.Unix(100, 0))
	if e.InvolvedObject.Kind != "NodeClaim" || e.InvolvedObject.Name != "rooms-x7k" || e.Reason != clusters.NodeJoinFailedReason {
		t.Errorf("event on %+v reason %s, want the NodeClaim rooms-x7k, %s", e.InvolvedObject, e.Reason, clusters.NodeJoinFailedReason)
	}
	if len(e.Message) > maxEventMessage {
		t.Errorf("message of %d bytes, want at most %d", len(e.Message), maxEventMessage)
	}
	if !strings.HasPrefix(e.Message, "node fleetbench-rooms-x7k never joined and was removed: …") {
		t.Errorf("message %q does not name the node first", e.Message)
	}
	if !strings.HasSuffix(e.Message, "maxPods must not be negative") {
		t.Errorf("message %q lost the kubelet's last line", e.Message)
	}
	short := joinFailedEvent(r, errors.New("no container"), time.Unix(100, 0))
	if want := "node fleetbench-rooms-x7k never joined and was removed: no container"; short.Message != want {
		t.Errorf("message %q, want %q", short.Message, want)
	}
}
