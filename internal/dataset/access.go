package dataset

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"lockstep.dev/lockstep/internal/core"
)

// PlatformFile is the platform configuration in a lockstep home. It holds
// platform-wide settings such as the digest of the data-access token; it
// is never part of a flow or a record.
const PlatformFile = "platform.yaml"

// AccessTokenVar is the environment variable holding the data-access
// credential that restricted datasets require outside reviewed runs.
const AccessTokenVar = "LOCKSTEP_DATA_ACCESS_TOKEN"

// accessKey is the platform.yaml field with the token's sha256.
const accessKey = "data_access_token_sha256"

// minTokenLen refuses tokens short enough to guess.
const minTokenLen = 16

// SetAccessToken records the sha256 of token as the home's data-access
// credential in HOME/platform.yaml, keeping the file's other settings.
// The token itself is never written.
func SetAccessToken(home string, token []byte) error {
	token = bytes.TrimRight(token, "\r\n")
	if len(token) < minTokenLen {
		return fmt.Errorf("data-access token: at least %d characters, please (e.g. `openssl rand -hex 32`)", minTokenLen)
	}
	path := filepath.Join(home, PlatformFile)
	cfg, err := readPlatform(path)
	if err != nil {
		return err
	}
	cfg[accessKey] = string(core.DigestOf(token))
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return core.WriteFileAtomic(path, b, 0o600)
}

// CheckAccess checks token against the data-access credential recorded in
// HOME/platform.yaml. It fails with ErrAccessDenied when no credential is
// configured, the token is empty, or it does not match.
func CheckAccess(home, token string) error {
	path := filepath.Join(home, PlatformFile)
	cfg, err := readPlatform(path)
	if err != nil {
		return err
	}
	want, _ := cfg[accessKey].(string)
	if want == "" {
		return fmt.Errorf("%w: %s sets no %s (an administrator runs `lockstep data access-token set`)", ErrAccessDenied, path, accessKey)
	}
	if token == "" {
		return fmt.Errorf("%w: set %s to the platform's data-access token", ErrAccessDenied, AccessTokenVar)
	}
	got := core.DigestOf([]byte(token))
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return fmt.Errorf("%w: %s does not match the token recorded in %s", ErrAccessDenied, AccessTokenVar, path)
	}
	return nil
}

// readPlatform reads platform.yaml as a mapping; a missing file is empty.
func readPlatform(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read platform config: %w", err)
	}
	cfg := map[string]any{}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %v (want a YAML mapping such as `%s: sha256:...`)", path, err, accessKey)
	}
	if cfg == nil {
		cfg = map[string]any{}
	}
	return cfg, nil
}
