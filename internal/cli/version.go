package cli

import (
	"runtime/debug"

	"lockstep.dev/lockstep/internal/engine"
)

// version is what `lockstep --version` prints: the version the release
// build set (-ldflags -X …engine.Version=…), else what the Go toolchain
// recorded in the binary: the module version of `go install …@vX`, or the
// VCS revision a plain `go build` in a checkout stamps, marked "-dirty"
// when the tree had uncommitted changes.
func version() string {
	info, _ := debug.ReadBuildInfo()
	return versionFrom(engine.Version, info)
}

// versionFrom is version with its inputs given, for tests.
func versionFrom(set string, info *debug.BuildInfo) string {
	if set != "" && set != "dev" {
		return set
	}
	if info == nil {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, when string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "dev-" + rev[:min(12, len(rev))]
	if dirty {
		v += "-dirty"
	}
	if when != "" {
		v += " (" + when + ")"
	}
	return v
}
