package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// MatchmakerWaiting asks a Ready matchmaker pod (label app=matchmaker,
// container port "http") how many matches wait for a room. It finds the
// pod by IP rather than through its Service: the local provider has no
// ClusterIP routing.
func MatchmakerWaiting(client *http.Client) func(ctx context.Context, pods []*corev1.Pod) (int, error) {
	return func(ctx context.Context, pods []*corev1.Pod) (int, error) {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return askWaiting(ctx, client, pods, nil)
	}
}

// MatchmakerWaitingChange long-polls the matchmaker: it answers once the
// number of waiting matches differs from unlike (or after the
// matchmaker's long-poll limit, with the same number).
func MatchmakerWaitingChange(client *http.Client) func(ctx context.Context, pods []*corev1.Pod, unlike int) (int, error) {
	return func(ctx context.Context, pods []*corev1.Pod, unlike int) (int, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return askWaiting(ctx, client, pods, url.Values{"unlike": {strconv.Itoa(unlike)}})
	}
}

func askWaiting(ctx context.Context, client *http.Client, pods []*corev1.Pod, query url.Values) (int, error) {
	addr := matchmakerAddr(pods)
	if addr == "" {
		return 0, errors.New("no Ready matchmaker pod")
	}
	u := url.URL{Scheme: "http", Host: addr, Path: "/v1/waiting", RawQuery: query.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct{ Waiting int }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("matchmaker /v1/waiting: %s %v", resp.Status, err)
	}
	return body.Waiting, nil
}

// matchmakerAddr is host:port of a Ready matchmaker pod's "http" port.
func matchmakerAddr(pods []*corev1.Pod) string {
	addr := ""
	for _, p := range pods {
		if p.Labels["app"] != "matchmaker" || p.DeletionTimestamp != nil || p.Status.PodIP == "" || !podReady(p) {
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
