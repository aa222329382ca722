package fleet

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fleetbench/fleetbench/stack/client"
	"github.com/fleetbench/fleetbench/stack/wire"
	corev1 "k8s.io/api/core/v1"
)

// MatchmakerWaiting asks a Ready matchmaker pod (label app=matchmaker,
// container port "http") how many matches wait for a room. It finds the
// pod by IP rather than through its Service: the local provider has no
// ClusterIP routing.
func MatchmakerWaiting(hc *http.Client) func(ctx context.Context, pods []*corev1.Pod) (int, error) {
	return func(ctx context.Context, pods []*corev1.Pod) (int, error) {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return askWaiting(ctx, hc, pods, nil)
	}
}

// MatchmakerWaitingChange long-polls the matchmaker: it answers once the
// number of waiting matches differs from unlike (or after the
// matchmaker's long-poll limit, with the same number).
func MatchmakerWaitingChange(hc *http.Client) func(ctx context.Context, pods []*corev1.Pod, unlike int) (int, error) {
	return func(ctx context.Context, pods []*corev1.Pod, unlike int) (int, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return askWaiting(ctx, hc, pods, url.Values{"unlike": {strconv.Itoa(unlike)}})
	}
}

func askWaiting(ctx context.Context, hc *http.Client, pods []*corev1.Pod, query url.Values) (int, error) {
	addr := matchmakerAddr(pods)
	if addr == "" {
		return 0, errors.New("no Ready matchmaker pod")
	}
	n, err := client.Waiting(ctx, hc, addr, query)
	return int(n), err
}

// matchmakerAddr is host:port of a Ready matchmaker pod's "http" port.
func matchmakerAddr(pods []*corev1.Pod) string {
	addr := ""
	for _, p := range pods {
		if p.Labels["app"] != "matchmaker" || p.DeletionTimestamp != nil || p.Status.PodIP == "" || !wire.PodReady(p) {
			continue
		}
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == "http" {
					addr = net.JoinHostPort(p.Status.PodIP, strconv.Itoa(int(cp.ContainerPort)))
				}
			}
		}
	}
	return addr
}
