package local

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// pki is the cluster's generated trust: one CA, a serving certificate for
// the API server, a client certificate per component and the
// service-account signing key. Everything is fresh for each `up`.
type pki struct {
	dir    string
	caCert *x509.Certificate
	caKey  crypto.Signer
}

// Paths of the files newPKI writes under dir.
const (
	caCertFile     = "ca.crt"
	servingCert    = "apiserver.crt"
	servingKey     = "apiserver.key"
	saKeyFile      = "sa.key"
	saPublicFile   = "sa.pub"
	certValidFor   = 365 * 24 * time.Hour
	clusterDNSName = "kubernetes.default.svc.cluster.local"
)

func newPKI(dir string) (*pki, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "fleetbench-local-ca"},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	cert, err := sign(tmpl, key.Public(), nil, key)
	if err != nil {
		return nil, err
	}
	p := &pki{dir: dir, caCert: cert, caKey: key}
	if err := writePEM(filepath.Join(dir, caCertFile), "CERTIFICATE", cert.Raw); err != nil {
		return nil, err
	}
	if err := p.issue(servingCert, servingKey, pkix.Name{CommonName: "kube-apiserver"}, true); err != nil {
		return nil, err
	}
	// Service-account tokens are signed with RSA: every client accepts RS256.
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if err := writePEM(filepath.Join(dir, saKeyFile), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)); err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return nil, err
	}
	return p, writePEM(filepath.Join(dir, saPublicFile), "PUBLIC KEY", pub)
}

func (p *pki) path(name string) string { return filepath.Join(p.dir, name) }

// issue writes a certificate and key signed by the CA. Serving
// certificates name every address a client in this cluster dials.
func (p *pki) issue(certName, keyName string, subject pkix.Name, serving bool) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		Subject:     subject,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if serving {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(10, 96, 0, 1)}
		tmpl.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", clusterDNSName}
	}
	cert, err := sign(tmpl, key.Public(), p.caCert, p.caKey)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(p.path(certName), "CERTIFICATE", cert.Raw); err != nil {
		return err
	}
	return writePEM(p.path(keyName), "EC PRIVATE KEY", der)
}

// kubeconfig writes a kubeconfig for a client-certificate identity.
// Kubernetes maps CN to the user and O to its groups.
func (p *pki) kubeconfig(path, server, user string, groups ...string) error {
	certName, keyName := user+".crt", user+".key"
	if err := p.issue(certName, keyName, pkix.Name{CommonName: user, Organization: groups}, false); err != nil {
		return err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["fleetbench"] = &clientcmdapi.Cluster{Server: server, CertificateAuthority: p.path(caCertFile)}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificate: p.path(certName), ClientKey: p.path(keyName)}
	cfg.Contexts["fleetbench"] = &clientcmdapi.Context{Cluster: "fleetbench", AuthInfo: user}
	cfg.CurrentContext = "fleetbench"
	return clientcmd.WriteToFile(*cfg, path)
}

func sign(tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, key crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(certValidFor)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

func writePEM(path, kind string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600)
}
