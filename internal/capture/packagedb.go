package capture

import (
	"io"
	"strings"
)

// parseDpkgStatus streams dpkg's status database (/var/lib/dpkg/status)
// and returns the packages whose state is "installed": stanzas separated
// by blank lines, "Field: value" lines, continuation lines starting with
// white space. Packages removed but with configuration left behind
// ("deinstall ok config-files") are not installed and are skipped.
func parseDpkgStatus(r io.Reader) ([]Package, error) {
	var pkgs []Package
	var cur Package
	installed := false
	flush := func() {
		if installed && cur.Name != "" && cur.Version != "" {
			pkgs = append(pkgs, cur)
		}
		cur, installed = Package{}, false
	}
	err := eachLine(r, func(line string) bool {
		if strings.TrimSpace(line) == "" {
			flush()
			return true
		}
		if line[0] == ' ' || line[0] == '\t' {
			return true
		}
		name, value, ok := splitField(line, ':')
		if !ok {
			return true
		}
		switch name {
		case "Package":
			cur.Name = value
		case "Version":
			cur.Version = value
		case "Architecture":
			cur.Arch = value
		case "Status":
			f := strings.Fields(value)
			installed = len(f) == 3 && f[2] == "installed"
		}
		return true
	})
	flush()
	sortPackages(pkgs)
	return pkgs, err
}

// parseApkInstalled streams apk's database (/lib/apk/db/installed):
// stanzas of one-letter "K:value" lines, P the name, V the version and A
// the architecture.
func parseApkInstalled(r io.Reader) ([]Package, error) {
	var pkgs []Package
	var cur Package
	flush := func() {
		if cur.Name != "" && cur.Version != "" {
			pkgs = append(pkgs, cur)
		}
		cur = Package{}
	}
	err := eachLine(r, func(line string) bool {
		if strings.TrimSpace(line) == "" {
			flush()
			return true
		}
		if len(line) < 2 || line[1] != ':' {
			return true
		}
		switch line[0] {
		case 'P':
			cur.Name = strings.TrimSpace(line[2:])
		case 'V':
			cur.Version = strings.TrimSpace(line[2:])
		case 'A':
			cur.Arch = strings.TrimSpace(line[2:])
		}
		return true
	})
	flush()
	sortPackages(pkgs)
	return pkgs, err
}

// parseRPMList reads the output of
// rpm -qa --queryformat '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\n'.
// An epoch of 0 is left out of the version, as rpm itself prints it.
func parseRPMList(r io.Reader) ([]Package, error) {
	var pkgs []Package
	err := eachLine(r, func(line string) bool {
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] == "" || f[1] == "" {
			return true
		}
		arch := f[2]
		if arch == "(none)" {
			arch = ""
		}
		pkgs = append(pkgs, Package{Name: f[0], Version: strings.TrimPrefix(f[1], "0:"), Arch: arch})
		return true
	})
	sortPackages(pkgs)
	return pkgs, err
}
