package capture

import (
	"strings"
)

// DefaultAllowlist returns the environment variables a step sees unless
// its flow says otherwise: locale, user, paths, threading and GPU
// selection, Python's search path, proxies and reproducible-build
// settings. A trailing "*" matches any suffix.
func DefaultAllowlist() []string {
	return []string{
		"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TMPDIR", "TZ",
		"LANG", "LANGUAGE", "LC_*",
		"CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
		"OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
		"VECLIB_MAXIMUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
		"PYTHONPATH", "PYTHONHASHSEED", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV",
		"SOURCE_DATE_EPOCH", "LD_LIBRARY_PATH", "CUDA_HOME",
		"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	}
}

// FilterEnv keeps the variables of environ ("NAME=value" entries, as
// os.Environ returns them) whose names the allowlist admits, exactly or by
// a pattern ending in "*". Values are kept as they are: the step needs
// them. When a name appears twice the last entry wins, as in os/exec.
func FilterEnv(environ []string, allow []string) map[string]string {
	env := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" || !allowed(name, allow) {
			continue
		}
		env[name] = value
	}
	return env
}

func allowed(name string, allow []string) bool {
	for _, a := range allow {
		if prefix, ok := strings.CutSuffix(a, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if name == a {
			return true
		}
	}
	return false
}

// stripCredentials removes user information that may be a secret from a
// git remote URL: a password always, a bare user name over http(s) (where
// it is usually a token). ssh user names such as "git@" stay.
func stripCredentials(remote string) string {
	scheme, rest, ok := strings.Cut(remote, "://")
	if !ok {
		return remote // scp-like "git@host:path" holds a user name only
	}
	authority := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		authority = rest[:end]
	}
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return remote
	}
	_, _, hasPassword := strings.Cut(authority[:at], ":")
	if s := strings.ToLower(scheme); hasPassword || s == "http" || s == "https" {
		return scheme + "://" + rest[at+1:]
	}
	return remote
}
