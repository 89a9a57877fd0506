package capture

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// osReleasePaths are read in order, as os-release(5) says.
var osReleasePaths = []string{"/etc/os-release", "/usr/lib/os-release"}

// readOSRelease reads the first os-release file that exists. A system
// without one gets an empty OSInfo.
func readOSRelease() (OSInfo, error) {
	for _, p := range osReleasePaths {
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return OSInfo{}, fmt.Errorf("read os release: %w", err)
		}
		info, err := parseOSRelease(f)
		f.Close()
		if err != nil {
			return OSInfo{}, fmt.Errorf("read os release %s: %w", p, err)
		}
		return info, nil
	}
	return OSInfo{}, nil
}

// parseOSRelease reads ID, VERSION_ID and PRETTY_NAME from os-release(5)
// text: shell-style assignments whose values may be quoted. ID defaults to
// "linux" as the format specifies.
func parseOSRelease(r io.Reader) (OSInfo, error) {
	info := OSInfo{ID: "linux"}
	err := eachLine(r, func(line string) bool {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			return true
		}
		name, value, ok := splitField(line, '=')
		if !ok {
			return true
		}
		switch name {
		case "ID":
			info.ID = unquoteShell(value)
		case "VERSION_ID":
			info.VersionID = unquoteShell(value)
		case "PRETTY_NAME":
			info.PrettyName = unquoteShell(value)
		}
		return true
	})
	return info, err
}

// unquoteShell removes shell quoting from one os-release value: single
// quotes keep everything literally, double quotes and bare words honour
// backslash escapes.
func unquoteShell(v string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				b.WriteByte(c)
			}
		case c == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case c == '"':
			if quote == '"' {
				quote = 0
			} else {
				quote = '"'
			}
		case c == '\'' && quote == 0:
			quote = '\''
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
