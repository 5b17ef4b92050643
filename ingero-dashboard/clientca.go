package dashboard

import (
	"crypto/x509"
	"fmt"
	"os"
)

// loadClientCA reads --client-ca: with it, only clients holding a
// certificate that CA signed complete the handshake (fleet fan-out with
// mTLS, docs/fleet.md). "" is no mTLS.
func loadClientCA(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading --client-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--client-ca %s holds no PEM certificate", path)
	}
	return pool, nil
}
