package fleet

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

func waitPods(t *testing.T, client *fake.Clientset, cond func([]corev1.Pod) bool) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	testkit.Eventually(t, 10*time.Second, "the pods to match", func() bool {
		list, err := client.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pods = list.Items
		return cond(pods)
	})
	return pods
}

func setState(t *testing.T, client *fake.Clientset, name string, s policy.OpsState) {
	t.Helper()
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]string{wire.OpsStateLabel: s.String()}}})
	if _, err := client.CoreV1().Pods("default").Patch(context.Background(), name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestControllerKeepsBufferAndProtectsAllocated(t *testing.T) {
	tmpl := &corev1.PodTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "roomserver", Namespace: "default", UID: "tmpl-uid"},
		Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "roomserver"}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "room", Image: "fleetbench/roomserver:dev"}}},
		},
	}
	client := fake.NewClientset(tmpl)
	buffer := &policy.MinAvailable{Count: 2}
	c := New(Config{Namespace: "default", Template: "roomserver", Buffer: buffer, Update: rolling(1, 0)}, client, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)

	pods := waitPods(t, client, func(ps []corev1.Pod) bool { return len(ps) == 2 })
	for _, p := range pods {
		if p.Labels[TemplateHashLabel] == "" || len(p.OwnerReferences) != 1 || p.OwnerReferences[0].UID != "tmpl-uid" {
			t.Errorf("pod %s: labels %v owners %v", p.Name, p.Labels, p.OwnerReferences)
		}
	}
	// One is allocated: the buffer refills and the allocated room is protected.
	allocated := pods[0].Name
	setState(t, client, allocated, policy.Allocated)
	waitPods(t, client, func(ps []corev1.Pod) bool {
		for _, p := range ps {
			if p.Name == allocated && p.Annotations[DoNotDisruptKey] == "true" && p.Annotations[SafeToEvictKey] == "false" {
				return len(ps) == 3
			}
		}
		return false
	})
	// The match ends as "recycle": the room is deleted and the buffer holds.
	setState(t, client, allocated, policy.WaitToBeDeleted)
	waitPods(t, client, func(ps []corev1.Pod) bool {
		for _, p := range ps {
			if p.Name == allocated {
				return false
			}
		}
		return len(ps) == 2
	})
}

// The demand-aware policy adds the matches waiting at the matchmaker,
// asked over HTTP of its Ready pod, to the buffer.
func TestControllerCountsWaitingMatches(t *testing.T) {
	mm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/waiting" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"waiting": 3}`))
	}))
	defer mm.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(mm.URL, "http://"))
	p, _ := strconv.Atoi(port)
	matchmakerPod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "matchmaker-0", Namespace: "default", Labels: map[string]string{"app": "matchmaker"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "mm", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: int32(p)}}}}},
		Status:     corev1.PodStatus{PodIP: "127.0.0.1", Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	tmpl := &corev1.PodTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "roomserver", Namespace: "default", UID: "tmpl-uid"},
		Template:   corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "room", Image: "fleetbench/roomserver:dev"}}}},
	}
	client := fake.NewClientset(tmpl, matchmakerPod)
	c := New(Config{Namespace: "default", Template: "roomserver", Buffer: policy.MinAvailable{Count: 2, CountWaiting: true},
		Update: rolling(1, 0), Waiting: MatchmakerWaiting(http.DefaultClient)}, client, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
	// 2 idle rooms + 3 waiting matches, besides the matchmaker's own pod.
	waitPods(t, client, func(ps []corev1.Pod) bool { return len(ps) == 1+5 })
}
