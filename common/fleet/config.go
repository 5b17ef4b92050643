package fleet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// ConfigEnv names a config file to use instead of the search path.
const ConfigEnv = "INGERO_CONFIG"

// FileConfig is the fleet part of ingero.yaml.
type FileConfig struct {
	Nodes      []string `yaml:"nodes"`
	CACert     string   `yaml:"ca_cert"`
	ClientCert string   `yaml:"client_cert"`
	ClientKey  string   `yaml:"client_key"`
	TokenFile  string   `yaml:"token_file"`
}

type fileRoot struct {
	Fleet FileConfig `yaml:"fleet"`
}

// ConfigPaths are where ingero.yaml is looked for, first found wins:
// $INGERO_CONFIG, ./ingero.yaml, /etc/ingero/ingero.yaml,
// ~/.config/ingero/ingero.yaml.
func ConfigPaths() []string {
	if p := os.Getenv(ConfigEnv); p != "" {
		return []string{p}
	}
	paths := []string{"ingero.yaml", "/etc/ingero/ingero.yaml"}
	if home, err := os.UserHomeDir(); err == nil {
		paths = append(paths, filepath.Join(home, ".config", "ingero", "ingero.yaml"))
	}
	return paths
}

// LoadConfig reads the first ingero.yaml of paths; none is no error
// (path ""), except that a file $INGERO_CONFIG names must exist.
// Relative certificate and token paths are taken from the file's folder.
func LoadConfig(paths []string) (FileConfig, string, error) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) && os.Getenv(ConfigEnv) == "" {
			continue
		}
		if err != nil {
			return FileConfig{}, "", fmt.Errorf("reading the config file: %w", err)
		}
		var root fileRoot
		if err := yaml.Unmarshal(b, &root); err != nil {
			return FileConfig{}, "", fmt.Errorf("%s: %w (fleet.nodes is a list of HOST:PORT)", p, err)
		}
		fc := root.Fleet
		dir := filepath.Dir(p)
		for _, f := range []*string{&fc.CACert, &fc.ClientCert, &fc.ClientKey, &fc.TokenFile} {
			if *f != "" && !filepath.IsAbs(*f) {
				*f = filepath.Join(dir, *f)
			}
		}
		return fc, p, nil
	}
	return FileConfig{}, "", nil
}
