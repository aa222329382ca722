package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/fleetbench/fleetbench/clusters"
)

// prepare resolves a container's command and environment the way kubelet
// does, with the differences a process on loopback needs: Services point
// at a ready endpoint (no kube-proxy), and the service-account token
// arrives as a kubeconfig file named by KUBECONFIG (no volume mounts).
func (w *worker) prepare(ctx context.Context, c *container) (argv, env []string, err error) {
	vars := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			order = append(order, k)
		}
		vars[k] = v
	}
	set("PATH", os.Getenv("PATH"))
	set("HOSTNAME", w.name)
	host, port := apiHostPort(w.r.cfg.Server)
	set("KUBERNETES_SERVICE_HOST", host)
	set("KUBERNETES_SERVICE_PORT", port)
	if automount(w.pod) {
		kc, err := w.kubeconfig(ctx)
		if err != nil {
			return nil, nil, errorf(c, "service account token: %v", err)
		}
		set("KUBECONFIG", kc)
	}
	if w.pod.Spec.EnableServiceLinks == nil || *w.pod.Spec.EnableServiceLinks {
		w.serviceEnv(set)
	}
	for _, from := range c.spec.EnvFrom {
		data, err := w.sourceData(ctx, from)
		if err != nil {
			return nil, nil, errorf(c, "envFrom: %v", err)
		}
		for k, v := range data {
			set(from.Prefix+k, v)
		}
	}
	for _, e := range c.spec.Env {
		v := expand(e.Value, vars)
		if e.ValueFrom != nil {
			if v, err = w.valueFrom(ctx, c.spec, e.ValueFrom); err != nil {
				return nil, nil, errorf(c, "env %s: %v", e.Name, err)
			}
		}
		set(e.Name, v)
	}
	var args []string
	for _, a := range c.spec.Args {
		args = append(args, expand(a, vars))
	}
	var cmd []string
	for _, a := range c.spec.Command {
		cmd = append(cmd, expand(a, vars))
	}
	if argv, err = w.r.cfg.command(c.spec.Image, cmd, args); err != nil {
		return nil, nil, errorf(c, "%v", err)
	}
	for _, k := range order {
		env = append(env, k+"="+vars[k])
	}
	return argv, env, nil
}

func automount(pod *corev1.Pod) bool {
	a := pod.Spec.AutomountServiceAccountToken
	return a == nil || *a
}

// kubeconfig writes PODDIR/kubeconfig holding a token bound to this pod,
// so the pod's API calls carry its service account's RBAC, not ours.
func (w *worker) kubeconfig(ctx context.Context) (string, error) {
	sa := w.pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	expiry := int64(24 * 3600)
	tr, err := w.r.client.CoreV1().ServiceAccounts(w.ns).CreateToken(ctx, sa, &authv1.TokenRequest{Spec: authv1.TokenRequestSpec{
		ExpirationSeconds: &expiry,
		BoundObjectRef:    &authv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: w.name, UID: w.uid},
	}}, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["cluster"] = &clientcmdapi.Cluster{Server: w.r.cfg.Server, CertificateAuthority: w.r.cfg.CAFile}
	cfg.AuthInfos[sa] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	cfg.Contexts["pod"] = &clientcmdapi.Context{Cluster: "cluster", AuthInfo: sa, Namespace: w.ns}
	cfg.CurrentContext = "pod"
	path := filepath.Join(w.dir, "kubeconfig")
	return path, clientcmd.WriteToFile(*cfg, path)
}

// serviceEnv sets <SVC>_SERVICE_HOST/PORT for the namespace's Services,
// pointing at a pod's IP and target port (clusters.StableEndpoint).
func (w *worker) serviceEnv(set func(k, v string)) {
	for _, o := range w.r.services.List() {
		svc := o.(*corev1.Service)
		if svc.Namespace != w.ns || len(svc.Spec.Ports) == 0 {
			continue
		}
		ip, ports := w.r.stableEndpoint(svc)
		if ip == "" {
			continue
		}
		name := strings.ToUpper(strings.ReplaceAll(svc.Name, "-", "_"))
		set(name+"_SERVICE_HOST", ip)
		for i, sp := range svc.Spec.Ports {
			p, ok := ports[sp.Name]
			if !ok {
				continue
			}
			if i == 0 {
				set(name+"_SERVICE_PORT", strconv.Itoa(int(p)))
			}
			if sp.Name != "" {
				set(name+"_SERVICE_PORT_"+strings.ToUpper(strings.ReplaceAll(sp.Name, "-", "_")), strconv.Itoa(int(p)))
			}
		}
	}
}

// stableEndpoint resolves a Service against the runner's pods.
func (r *Runner) stableEndpoint(svc *corev1.Service) (string, map[string]int32) {
	var pods []*corev1.Pod
	if r.podCache != nil {
		for _, o := range r.podCache.List() {
			pods = append(pods, o.(*corev1.Pod))
		}
	}
	return clusters.StableEndpoint(svc, pods)
}

func apiHostPort(server string) (string, string) {
	hp := strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://")
	if i := strings.LastIndexByte(hp, ':'); i >= 0 {
		return hp[:i], hp[i+1:]
	}
	return hp, "443"
}

// expand replaces $(VAR) with defined variables; $$ escapes, and an
// undefined reference stays as written (kubelet's rules).
func expand(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '(':
			if j := strings.IndexByte(s[i+2:], ')'); j >= 0 {
				name := s[i+2 : i+2+j]
				if v, ok := vars[name]; ok {
					b.WriteString(v)
					i += j + 2
					continue
				}
			}
		}
		b.WriteByte('$')
	}
	return b.String()
}

func (w *worker) sourceData(ctx context.Context, from corev1.EnvFromSource) (map[string]string, error) {
	switch {
	case from.ConfigMapRef != nil:
		cm, err := w.r.client.CoreV1().ConfigMaps(w.ns).Get(ctx, from.ConfigMapRef.Name, metav1.GetOptions{})
		if err != nil {
			return optional(from.ConfigMapRef.Optional, err)
		}
		return cm.Data, nil
	case from.SecretRef != nil:
		s, err := w.r.client.CoreV1().Secrets(w.ns).Get(ctx, from.SecretRef.Name, metav1.GetOptions{})
		if err != nil {
			return optional(from.SecretRef.Optional, err)
		}
		data := map[string]string{}
		for k, v := range s.Data {
			data[k] = string(v)
		}
		return data, nil
	}
	return nil, nil
}

func optional(opt *bool, err error) (map[string]string, error) {
	if opt != nil && *opt {
		return nil, nil
	}
	return nil, err
}

func (w *worker) valueFrom(ctx context.Context, c corev1.Container, src *corev1.EnvVarSource) (string, error) {
	switch {
	case src.FieldRef != nil:
		return w.field(src.FieldRef.FieldPath)
	case src.ResourceFieldRef != nil:
		return resourceValue(c, src.ResourceFieldRef)
	case src.ConfigMapKeyRef != nil:
		ref := src.ConfigMapKeyRef
		cm, err := w.r.client.CoreV1().ConfigMaps(w.ns).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			_, err = optional(ref.Optional, err)
			return "", err
		}
		return cm.Data[ref.Key], nil
	case src.SecretKeyRef != nil:
		ref := src.SecretKeyRef
		s, err := w.r.client.CoreV1().Secrets(w.ns).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			_, err = optional(ref.Optional, err)
			return "", err
		}
		return string(s.Data[ref.Key]), nil
	}
	return "", fmt.Errorf("unsupported valueFrom")
}
