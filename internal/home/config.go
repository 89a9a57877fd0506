package home

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"lockstep.dev/lockstep/internal/core"
)

// ConfigFile is the name of a home's configuration, in the home folder.
const ConfigFile = "config.yaml"

// maxConfigSize bounds config.yaml: it holds two URLs.
const maxConfigSize = 64 << 10

// Config says where a home keeps its objects and its index. Empty fields
// mean the embedded defaults.
type Config struct {
	// Store is the object store's URL: file:///path, or a bare path.
	Store string `yaml:"store,omitempty"`
	// Catalog is the catalog's URL: sqlite:///path/catalog.db, or a bare path.
	Catalog string `yaml:"catalog,omitempty"`
	// Backend names the backend runs use when --on does not say (local).
	Backend string `yaml:"backend,omitempty"`
	// Backends holds each backend's own settings, by backend name
	// (backends: {slurm: {partition: gpu}}).
	Backends map[string]map[string]string `yaml:"backends,omitempty"`
	// CacheSize bounds the local read cache of a store without local
	// files (a bucket): a size such as 20GiB; "" means
	// store.DefaultCacheSize.
	CacheSize string `yaml:"cache_size,omitempty"`
}

// CacheBytes returns CacheSize in bytes, 0 when it is not set (or not a
// size, which ReadConfig and Open refuse).
func (c Config) CacheBytes() int64 {
	n, _ := parseCacheSize(c.CacheSize)
	return n
}

// parseCacheSize parses a cache_size value; "" is 0.
func parseCacheSize(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := core.ParseSize(v)
	if err != nil {
		return 0, fmt.Errorf("%v; write a size such as 20GiB or 500MiB", err)
	}
	return n, nil
}

// IsZero reports whether c sets nothing: the embedded defaults.
func (c Config) IsZero() bool {
	return c.Store == "" && c.Catalog == "" && c.Backend == "" && len(c.Backends) == 0 && c.CacheSize == ""
}

// configKeys are the keys config.yaml may have.
var configKeys = []string{"store", "catalog", "backend", "backends", "cache_size"}

// ReadConfig reads root's config.yaml; a home without one has the
// defaults (an empty Config). Unknown keys and values that are not strings
// are errors naming the file and line.
func ReadConfig(root string) (Config, error) {
	path := filepath.Join(root, ConfigFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxConfigSize {
		return Config{}, fmt.Errorf("%s: larger than %d KiB; it holds only store: and catalog: URLs", path, maxConfigSize>>10)
	}
	return parseConfig(path, b)
}

func parseConfig(path string, b []byte) (Config, error) {
	var c Config
	if len(bytes.TrimSpace(b)) == 0 {
		return c, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return c, fmt.Errorf("%s: %v (write `store: URL`, `catalog: URL` and `backend: NAME`, one per line)", path, err)
	}
	if len(doc.Content) == 0 {
		return c, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return c, fmt.Errorf("%s:%d: want a mapping of store:, catalog: and backend:, got %s", path, m.Line, kindName(m))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if seen[k.Value] {
			return c, fmt.Errorf("%s:%d: %s is set twice (keep one)", path, k.Line, k.Value)
		}
		seen[k.Value] = true
		if k.Value == "backends" {
			var err error
			if c.Backends, err = backendSettings(path, v); err != nil {
				return c, err
			}
			continue
		}
		if k.Value == "cache_size" {
			if v.Kind != yaml.ScalarNode {
				return c, fmt.Errorf("%s:%d: cache_size: want a size such as 20GiB, got %s", path, v.Line, kindName(v))
			}
			if _, err := parseCacheSize(v.Value); err != nil {
				return c, fmt.Errorf("%s:%d: cache_size: %v", path, v.Line, err)
			}
			c.CacheSize = v.Value
			continue
		}
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" && v.Tag != "!!null" {
			return c, fmt.Errorf("%s:%d: %s: want a URL string, got %s", path, v.Line, k.Value, kindName(v))
		}
		switch k.Value {
		case "store":
			c.Store = v.Value
		case "catalog":
			c.Catalog = v.Value
		case "backend":
			c.Backend = v.Value
		default:
			return c, fmt.Errorf("%s:%d: unknown key %q (known keys: %s)", path, k.Line, k.Value, strings.Join(configKeys, ", "))
		}
	}
	return c, nil
}

// backendSettings reads backends: NAME: {KEY: VALUE}, values scalars.
func backendSettings(path string, n *yaml.Node) (map[string]map[string]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: backends: want a mapping of backend names to their settings, got %s", path, n.Line, kindName(n))
	}
	out := map[string]map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, settings := n.Content[i], n.Content[i+1]
		if settings.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: backends.%s: want a mapping of settings (partition: gpu), got %s", path, settings.Line, name.Value, kindName(settings))
		}
		m := map[string]string{}
		for j := 0; j+1 < len(settings.Content); j += 2 {
			k, v := settings.Content[j], settings.Content[j+1]
			if v.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s:%d: backends.%s.%s: want a value, got %s", path, v.Line, name.Value, k.Value, kindName(v))
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("%s:%d: backends.%s.%s is set twice (keep one)", path, k.Line, name.Value, k.Value)
			}
			m[k.Value] = v.Value
		}
		out[name.Value] = m
	}
	return out, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strings.TrimPrefix(n.Tag, "!!")
}

// WriteConfig writes c as root's config.yaml, atomically.
func WriteConfig(root string, c Config) error {
	var b bytes.Buffer
	b.WriteString("# Where this lockstep home keeps its objects and its index.\n")
	b.WriteString("# LOCKSTEP_STORE and LOCKSTEP_CATALOG override these. Credentials never go here:\n")
	b.WriteString("# they come from the AWS chain or libpq's environment.\n")
	if c.Store != "" {
		fmt.Fprintf(&b, "store: %s\n", yamlString(c.Store))
	}
	if c.Catalog != "" {
		fmt.Fprintf(&b, "catalog: %s\n", yamlString(c.Catalog))
	}
	if c.Backend != "" {
		fmt.Fprintf(&b, "backend: %s\n", yamlString(c.Backend))
	}
	if c.CacheSize != "" {
		fmt.Fprintf(&b, "cache_size: %s\n", yamlString(c.CacheSize))
	}
	if len(c.Backends) > 0 {
		b.WriteString("backends:\n")
		for _, name := range slices.Sorted(maps.Keys(c.Backends)) {
			fmt.Fprintf(&b, "  %s:\n", yamlString(name))
			for _, k := range slices.Sorted(maps.Keys(c.Backends[name])) {
				fmt.Fprintf(&b, "    %s: %s\n", yamlString(k), yamlString(c.Backends[name][k]))
			}
		}
	}
	return core.WriteFileAtomic(filepath.Join(root, ConfigFile), b.Bytes(), 0o644)
}

func yamlString(s string) string {
	out, _ := yaml.Marshal(s)
	return strings.TrimSpace(string(out))
}

// Redact hides the password of a URL's user info, for messages: a URL is
// shown, its secret never.
func Redact(location string) string {
	u, err := url.Parse(location)
	if err != nil || u.User == nil {
		return location
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
