package kind

import (
	"context"
	"regexp"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"

	"github.com/fleetbench/fleetbench/clusters"
)

// TestJoinTokenIsABootstrapTokenSecret: the token kubeadm join is given is
// the one the Secret holds, in kubeadm's form, usable for the join's
// authentication and for discovery's signature check.
func TestJoinTokenIsABootstrapTokenSecret(t *testing.T) {
	client := fake.NewClientset()
	token, err := joinToken(context.Background(), client, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^([a-z0-9]{6})\.([a-z0-9]{16})$`).FindStringSubmatch(token)
	if m == nil {
		t.Fatalf("token %q is not [a-z0-9]{6}.[a-z0-9]{16}", token)
	}
	s, err := client.CoreV1().Secrets(metav1.NamespaceSystem).Get(context.Background(), "bootstrap-token-"+m[1], metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != corev1.SecretTypeBootstrapToken || s.StringData["token-secret"] != m[2] ||
		s.StringData["usage-bootstrap-authentication"] != "true" || s.StringData["usage-bootstrap-signing"] != "true" {
		t.Errorf("secret %+v: want a bootstrap token for authentication and signing holding %q", s, m[2])
	}
	if exp, err := time.Parse(time.RFC3339, s.StringData["expiration"]); err != nil || time.Until(exp) > time.Hour {
		t.Errorf("expiration %q: want within the hour", s.StringData["expiration"])
	}
}

// TestJoinConfigCarriesWhatKarpenterMatches: the kubelet registers with
// the provider ID Karpenter returned, the taint it lifts and its
// NodeClaim's label.
func TestJoinConfigCarriesWhatKarpenterMatches(t *testing.T) {
	var conf struct {
		NodeRegistration struct {
			KubeletExtraArgs []struct{ Name, Value string } `json:"kubeletExtraArgs"`
			Taints           []corev1.Taint                 `json:"taints"`
		} `json:"nodeRegistration"`
		Discovery struct {
			BootstrapToken struct {
				APIServerEndpoint string `json:"apiServerEndpoint"`
				Token             string `json:"token"`
			} `json:"bootstrapToken"`
		} `json:"discovery"`
	}
	if err := yaml.Unmarshal([]byte(joinConfig("fb", "abcdef.0123456789abcdef", "172.18.0.5", "kind://docker/fb/rooms-x", "rooms-x", 25)), &conf); err != nil {
		t.Fatal(err)
	}
	args := map[string]string{}
	for _, a := range conf.NodeRegistration.KubeletExtraArgs {
		args[a.Name] = a.Value
	}
	if args["provider-id"] != "kind://docker/fb/rooms-x" || args["max-pods"] != "25" || args["node-ip"] != "172.18.0.5" ||
		args["node-labels"] != clusters.NodeClaimLabel+"=rooms-x" {
		t.Errorf("kubelet args %v", args)
	}
	if len(conf.NodeRegistration.Taints) != 1 || conf.NodeRegistration.Taints[0].Key != "karpenter.sh/unregistered" || conf.NodeRegistration.Taints[0].Effect != corev1.TaintEffectNoExecute {
		t.Errorf("taints %v: want karpenter.sh/unregistered:NoExecute", conf.NodeRegistration.Taints)
	}
	if b := conf.Discovery.BootstrapToken; b.APIServerEndpoint != "fb-control-plane:6443" || b.Token != "abcdef.0123456789abcdef" {
		t.Errorf("discovery %+v", b)
	}
}
