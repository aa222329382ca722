package kind

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetbench/fleetbench/clusters"
)

// maxEventMessage bounds the Event's message (the API's recorders cut
// at 1 KiB too).
const maxEventMessage = 1024

// annotateNode records on the Node what only the node command knows:
// when its container started, so that a run times the scale-up's machine
// stage (the Node appears only when the kubelet registers).
func (c *Cluster) annotateNode(ctx context.Context, client kubernetes.Interface, r NodeRequest) error {
	out, err := exec.CommandContext(ctx, "docker", "inspect", "--format", "{{.State.StartedAt}}", r.Name).Output()
	if err != nil {
		return fmt.Errorf("kind: node %s's start time: %w", r.Name, err)
	}
	started, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(out)))
	if err != nil {
		return fmt.Errorf("kind: node %s's start time %q: %w", r.Name, out, err)
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{
		clusters.MachineStartedAnnotation: started.UTC().Format(time.RFC3339Nano)}}})
	if _, err := client.CoreV1().Nodes().Patch(ctx, r.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: clusters.FieldManager}); err != nil {
		return fmt.Errorf("kind: annotating node %s: %w", r.Name, err)
	}
	return nil
}

// reportJoinFailure leaves an Event on the node's NodeClaim saying why
// it never joined; the failure itself goes back to Karpenter as the
// create's error.
func (c *Cluster) reportJoinFailure(ctx context.Context, client kubernetes.Interface, r NodeRequest, cause error) error {
	e := joinFailedEvent(r, cause, time.Now())
	if _, err := client.CoreV1().Events(e.Namespace).Create(ctx, e, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("kind: reporting node %s's failure: %w", r.Name, err)
	}
	return nil
}

func joinFailedEvent(r NodeRequest, cause error, now time.Time) *corev1.Event {
	msg := fmt.Sprintf("node %s never joined and was removed: ", r.Name) + tail(cause.Error(), maxEventMessage-len(r.Name)-len("node  never joined and was removed: "))
	t := metav1.NewTime(now)
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: r.Name + ".", Namespace: metav1.NamespaceDefault},
		InvolvedObject: corev1.ObjectReference{APIVersion: "karpenter.sh/v1", Kind: "NodeClaim", Name: r.Claim},
		Reason:         clusters.NodeJoinFailedReason, Message: msg, Type: corev1.EventTypeWarning,
		Source:         corev1.EventSource{Component: "fleetbench-kind-nodes", Host: r.Name},
		FirstTimestamp: t, LastTimestamp: t, Count: 1,
	}
}

// tail keeps the end of s, where the kubelet's last lines are, within
// limit bytes, cut at a rune's start (the API stores valid UTF-8).
func tail(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := len(s) - limit + len("…")
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	return "…" + s[cut:]
}
