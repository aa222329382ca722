package local

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/hostproc"
)

// ports of one cluster, all on 127.0.0.1.
type ports struct {
	etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok, karpenterMetrics, karpenterHealth, runner int
}

func (c *Cluster) allocatePorts() (ports, error) {
	free, err := hostproc.FreePorts(9)
	if err != nil {
		return ports{}, err
	}
	p := ports{free[0], free[1], free[2], free[3], free[4], free[5], free[6], free[7], free[8]}
	if c.opts.APIServerPort != 0 {
		if err := checkPortFree("kube-apiserver", c.opts.APIServerPort); err != nil {
			return ports{}, err
		}
		p.apiserver = c.opts.APIServerPort
	}
	return p, nil
}

func localURL(scheme string, port int, path string) string {
	return scheme + "://127.0.0.1:" + strconv.Itoa(port) + path
}

func etcdArgs(bin, dataDir string, p ports) []string {
	client, peer := localURL("http", p.etcdClient, ""), localURL("http", p.etcdPeer, "")
	return []string{bin,
		"--name=fleetbench", "--data-dir=" + dataDir,
		"--listen-client-urls=" + client, "--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=fleetbench=" + peer,
		// A throwaway test cluster: durability costs seconds per write burst.
		"--unsafe-no-fsync=true", "--quota-backend-bytes=2147483648", "--log-level=warn",
	}
}

func apiserverArgs(bin string, k *pki, p ports) []string {
	return []string{bin,
		"--etcd-servers=" + localURL("http", p.etcdClient, ""),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + strconv.Itoa(p.apiserver),
		// The default reconciler publishes the advertise address as the
		// kubernetes Service endpoint, which it refuses for loopback.
		"--endpoint-reconciler-type=none",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--client-ca-file=" + k.path(caCertFile),
		"--tls-cert-file=" + k.path(servingCert), "--tls-private-key-file=" + k.path(servingKey),
		"--service-account-issuer=https://" + clusterDNSName,
		"--service-account-key-file=" + k.path(saPublicFile),
		"--service-account-signing-key-file=" + k.path(saKeyFile),
		"--authorization-mode=RBAC",
		"--allow-privileged=true", "--profiling=false",
	}
}

func controllerManagerArgs(bin, kubeconfig string, k *pki, p ports) []string {
	return []string{bin,
		"--kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(p.controllerManager),
		"--leader-elect=false",
		"--use-service-account-credentials=true",
		"--service-account-private-key-file=" + k.path(saKeyFile),
		"--root-ca-file=" + k.path(caCertFile),
		"--cluster-name=fleetbench", "--profiling=false",
		// The default 20 QPS makes the ReplicaSet controller, not the
		// cluster, the limit when a fleet scales by hundreds of rooms.
		"--kube-api-qps=200", "--kube-api-burst=400",
	}
}

func schedulerArgs(bin, config string, p ports) []string {
	return []string{bin, "--config=" + config, "--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(p.scheduler), "--profiling=false"}
}

func kwokArgs(bin, kubeconfig, config string, p ports) []string {
	return []string{bin,
		"--kubeconfig=" + kubeconfig, "--config=" + config,
		// Karpenter's kwok provider annotates the nodes it creates so;
		// the static nodes carry the same annotation.
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--server-address=127.0.0.1:" + strconv.Itoa(p.kwok),
		"--node-ip=127.0.0.1", "--cidr=10.244.0.1/16",
		// Leases keep nodes Ready between the rare status heartbeats.
		"--node-lease-duration-seconds=40",
	}
}

// karpenterEnv configures Karpenter's kwok provider, which reads env vars.
// Its metrics and health servers bind ":port" (all interfaces) with no
// flag to narrow them; they get free ports and we only dial loopback.
func karpenterEnv(kubeconfig, instanceTypes string, s clusters.Spec, p ports) []string {
	return []string{
		"KUBECONFIG=" + kubeconfig,
		"INSTANCE_TYPES_FILE_PATH=" + instanceTypes,
		"DISABLE_LEADER_ELECTION=true",
		"METRICS_PORT=" + strconv.Itoa(p.karpenterMetrics),
		"HEALTH_PROBE_PORT=" + strconv.Itoa(p.karpenterHealth),
		"LOG_LEVEL=info",
		"CLUSTER_NAME=" + s.Name,
		"SYSTEM_NAMESPACE=kube-system",
	}
}

// httpReady returns a readiness check for an endpoint answering 200.
// TLS is not verified: these are health probes of processes we started.
func httpReady(url, cert, key string) func(context.Context) error {
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // #nosec: local health probe
	if cert != "" {
		tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			c, err := tls.LoadX509KeyPair(cert, key)
			return &c, err
		}
	}
	client := &http.Client{Transport: tr, Timeout: 2 * time.Second}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s %s", url, resp.Status, strings.TrimSpace(string(body)))
		}
		return nil
	}
}

// adminCert is the client certificate pair the admin kubeconfig uses.
func adminCert(k *pki) (string, string) {
	return filepath.Join(k.dir, adminUser+".crt"), filepath.Join(k.dir, adminUser+".key")
}
