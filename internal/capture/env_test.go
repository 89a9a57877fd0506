package capture

import (
	"reflect"
	"testing"
)

func TestFilterEnv(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin", "HOME=/home/ada", "LC_ALL=C.UTF-8", "LC_TIME=de_DE", "LCX=no",
		"AWS_SECRET_ACCESS_KEY=s3cr3t", "OMP_NUM_THREADS=4", "OMP_NUM_THREADS=8",
		"NOEQUALS", "=x", "PYTHONPATH=", "MY_TOKEN=abc",
	}
	tests := []struct {
		name  string
		allow []string
		want  map[string]string
	}{
		{"default allowlist", DefaultAllowlist(), map[string]string{
			"PATH": "/usr/bin", "HOME": "/home/ada", "LC_ALL": "C.UTF-8", "LC_TIME": "de_DE",
			"OMP_NUM_THREADS": "8", "PYTHONPATH": "",
		}},
		{"secret allowed explicitly keeps its value", []string{"MY_TOKEN"}, map[string]string{"MY_TOKEN": "abc"}},
		{"prefix pattern", []string{"AWS_*"}, map[string]string{"AWS_SECRET_ACCESS_KEY": "s3cr3t"}},
		{"nothing allowed", nil, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FilterEnv(environ, tt.allow); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDefaultAllowlistAdmits(t *testing.T) {
	allow := DefaultAllowlist()
	for _, name := range []string{"PATH", "HOME", "LANG", "LC_ALL", "LC_NUMERIC", "TZ", "TERM", "USER", "LOGNAME", "SHELL", "TMPDIR",
		"CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
		"PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "NVIDIA_VISIBLE_DEVICES", "SOURCE_DATE_EPOCH"} {
		if !allowed(name, allow) {
			t.Errorf("default allowlist leaves out %s", name)
		}
	}
	for _, name := range []string{"AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "SSH_AUTH_SOCK", "LD_PRELOAD", "PYTHONSTARTUP", "DISPLAY"} {
		if allowed(name, allow) {
			t.Errorf("default allowlist admits %s", name)
		}
	}
}

func TestStripCredentials(t *testing.T) {
	tests := map[string]string{
		"https://user:pass@github.com/org/repo.git": "https://github.com/org/repo.git",
		"https://ghp_token@github.com/org/repo.git": "https://github.com/org/repo.git",
		"ssh://git@github.com/org/repo.git":         "ssh://git@github.com/org/repo.git",
		"ssh://git:pw@host/repo":                    "ssh://host/repo",
		"git@github.com:org/repo.git":               "git@github.com:org/repo.git",
		"https://github.com/org/repo.git":           "https://github.com/org/repo.git",
		"/srv/git/repo.git":                         "/srv/git/repo.git",
		"HTTPS://u:p%zz@host/x?y=a@b":               "HTTPS://host/x?y=a@b",
		"https://github.com/org/repo@v1":            "https://github.com/org/repo@v1",
	}
	for in, want := range tests {
		if got := stripCredentials(in); got != want {
			t.Errorf("stripCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}
