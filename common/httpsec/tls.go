package httpsec

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

// SelfSignedLifetime is how long a generated certificate is valid: a
// server restarted daily gets a fresh one, and a leaked key ages out.
const SelfSignedLifetime = 24 * time.Hour

// Cert is the certificate a server presents, with what an operator needs
// to trust it.
type Cert struct {
	TLS tls.Certificate
	// SelfSigned is true when ingero generated it for this run.
	SelfSigned bool
	// Fingerprint is the SHA-256 of the leaf in hex, for pinning
	// (curl --pinnedpubkey takes the key's hash; browsers show this one).
	Fingerprint string
}

// LoadOrGenerate reads certFile and keyFile when both are given and
// generates an ephemeral self-signed ECDSA P-256 certificate for hosts
// when neither is. One without the other is a usage mistake.
func LoadOrGenerate(certFile, keyFile string, hosts []string) (*Cert, error) {
	switch {
	case certFile == "" && keyFile == "":
		return SelfSigned(hosts, time.Now())
	case certFile == "" || keyFile == "":
		return nil, errors.New("--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate")
	}
	if err := CheckKeyFile(keyFile); err != nil {
		return nil, err
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load tls certificate: %w", err)
	}
	return &Cert{TLS: pair, Fingerprint: fingerprint(pair.Certificate[0])}, nil
}

// CheckKeyFile refuses a private key that users other than its owner can
// read: a key others can copy no longer proves who the server is.
func CheckKeyFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("tls key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("tls key %s is readable by group or others (mode %04o): run chmod 600 %s", path, perm, path)
	}
	return nil
}

// SelfSigned makes a certificate for hosts (names or IP literals) plus
// localhost and the loopback addresses, valid from now for
// SelfSignedLifetime.
func SelfSigned(hosts []string, now time.Time) (*Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate tls key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generate certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"ingero"}, CommonName: "ingero self-signed"},
		NotBefore:             now.Add(-time.Minute), // tolerate a client clock slightly behind
		NotAfter:              now.Add(SelfSignedLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, h := range hosts {
		h = strings.Trim(h, "[]")
		if h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create self-signed certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse self-signed certificate: %w", err)
	}
	pair := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return &Cert{TLS: pair, SelfSigned: true, Fingerprint: fingerprint(der)}, nil
}

// ServerConfig is TLS 1.3 and nothing older: every client that can speak
// MCP or run the dashboard's page speaks 1.3, and 1.2's cipher choices
// are one more thing to get wrong.
func ServerConfig(c *Cert) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{c.TLS},
	}
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}
