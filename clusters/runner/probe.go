package runner

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type probeResult struct {
	i, gen int
	ready  bool
}

// probeLoop runs a readiness probe with kubelet's timing and thresholds
// and sends each change of outcome to the worker.
func (w *worker) probeLoop(ctx context.Context, i, gen int, c corev1.Container) {
	p := c.ReadinessProbe
	period := seconds(p.PeriodSeconds, 10)
	timeout := seconds(p.TimeoutSeconds, 1)
	success, failure := int(max(p.SuccessThreshold, 1)), int(max(p.FailureThreshold, 1))
	select {
	case <-ctx.Done():
		return
	case <-time.After(seconds(p.InitialDelaySeconds, 0)):
	}
	ready, ok, bad := false, 0, 0
	client := &http.Client{Timeout: timeout}
	for {
		err := w.probe(ctx, client, timeout, p, c)
		if err == nil {
			ok, bad = ok+1, 0
		} else {
			ok, bad = 0, bad+1
		}
		if (!ready && ok >= success) || (ready && bad >= failure) {
			ready = !ready
			select {
			case w.probes <- probeResult{i: i, gen: gen, ready: ready}:
			case <-ctx.Done():
				return
			case <-w.done:
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(period):
		}
	}
}

func seconds(s int32, def int) time.Duration {
	if s <= 0 {
		s = int32(def)
	}
	return time.Duration(s) * time.Second
}

// probe runs one check against the pod's own IP.
func (w *worker) probe(ctx context.Context, client *http.Client, timeout time.Duration, p *corev1.Probe, c corev1.Container) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case p.HTTPGet != nil:
		port, err := portOf(p.HTTPGet.Port, c)
		if err != nil {
			return err
		}
		host := p.HTTPGet.Host
		if host == "" {
			host = w.ip.String()
		}
		scheme := "http"
		if p.HTTPGet.Scheme == corev1.URISchemeHTTPS {
			scheme = "https"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+net.JoinHostPort(host, port)+p.HTTPGet.Path, nil)
		if err != nil {
			return err
		}
		for _, h := range p.HTTPGet.HTTPHeaders {
			req.Header.Add(h.Name, h.Value)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 10<<10))
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode >= 400 {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return nil
	case p.TCPSocket != nil:
		port, err := portOf(p.TCPSocket.Port, c)
		if err != nil {
			return err
		}
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(w.ip.String(), port))
		if err != nil {
			return err
		}
		return conn.Close()
	case p.Exec != nil && len(p.Exec.Command) > 0:
		cmd := exec.CommandContext(ctx, p.Exec.Command[0], p.Exec.Command[1:]...)
		cmd.Dir = w.dir
		return cmd.Run()
	}
	return fmt.Errorf("unsupported probe")
}

// portOf resolves a probe's port, by number or by the container port's name.
func portOf(p intstr.IntOrString, c corev1.Container) (string, error) {
	if p.Type == intstr.Int {
		return strconv.Itoa(p.IntValue()), nil
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return strconv.Itoa(int(cp.ContainerPort)), nil
		}
	}
	return "", fmt.Errorf("no container port named %q", p.StrVal)
}
