package cli

import (
	"runtime/debug"
	"testing"
)

func TestVersion(t *testing.T) {
	vcs := func(settings ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Path: "lockstep.dev/lockstep", Version: "(devel)"}}
		for i := 0; i < len(settings); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return info
	}
	rev := "86e29aa0123456789abcdef0123456789abcdef0"
	tests := []struct {
		name string
		set  string
		info *debug.BuildInfo
		want string
	}{
		{"release build", "v1.2.0", vcs("vcs.revision", rev), "v1.2.0"},
		{"go install of a version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}}, "v1.3.0"},
		{"plain go build, clean", "dev", vcs("vcs.revision", rev, "vcs.time", "2026-12-07T12:00:00Z", "vcs.modified", "false"),
			"dev-86e29aa01234 (2026-12-07T12:00:00Z)"},
		{"plain go build, dirty", "dev", vcs("vcs.revision", rev, "vcs.modified", "true"), "dev-86e29aa01234-dirty"},
		{"no VCS information", "dev", vcs(), "dev"},
		{"no build information", "dev", nil, "dev"},
	}
	for _, tt := range tests {
		if got := versionFrom(tt.set, tt.info); got != tt.want {
			t.Errorf("%s: version %q, want %q", tt.name, got, tt.want)
		}
	}
}
