package kind

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// joinToken creates a kubeadm bootstrap token through the API (a
// kube-system Secret, as `kubeadm token create` writes it): a new node
// joins with it, no exec into the control plane. It expires after ttl.
func joinToken(ctx context.Context, client kubernetes.Interface, ttl time.Duration) (string, error) {
	id, secret := tokenPart(6), tokenPart(16)
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: metav1.NamespaceSystem},
		Type:       corev1.SecretTypeBootstrapToken,
		StringData: map[string]string{
			"token-id":     id,
			"token-secret": secret,
			"expiration":   time.Now().Add(ttl).UTC().Format(time.RFC3339),
			// Authentication for the join; signing so that discovery can
			// check the cluster-info the controller manager signs.
			"usage-bootstrap-authentication": "true",
			"usage-bootstrap-signing":        "true",
			"auth-extra-groups":              "system:bootstrappers:kubeadm:default-node-token",
			"description":                    "fleetbench: a node Karpenter started",
		},
	}
	if _, err := client.CoreV1().Secrets(metav1.NamespaceSystem).Create(ctx, s, metav1.CreateOptions{}); err != nil {
		return "", fmt.Errorf("kind: a join token: %w", err)
	}
	return id + "." + secret, nil
}

// tokenPart is n characters of [a-z0-9], kubeadm's token alphabet.
func tokenPart(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
