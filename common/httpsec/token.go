package httpsec

import (
	"fmt"
	"os"
	"strings"
)

// TokenFromEnv reads a bearer token from the environment. Tokens never
// come from argv, where every user of the host can read them in /proc.
func TokenFromEnv(name string) string { return strings.TrimSpace(os.Getenv(name)) }

// TokenFromFile reads a bearer token from a file that only its owner can
// read, for the same reason CheckKeyFile refuses shared keys.
func TokenFromFile(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("token file %s is readable by group or others (mode %04o): run chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty: write the token into it", path)
	}
	return tok, nil
}
