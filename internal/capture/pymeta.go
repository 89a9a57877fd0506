package capture

import (
	"io"
	"regexp"
	"strings"
)

// parseDistMetadata reads Name and Version from a distribution's core
// metadata (a dist-info METADATA or egg-info PKG-INFO file): RFC 822
// style headers, names in any case, ending at the first blank line, where
// the description body starts. It stops reading once both are found.
func parseDistMetadata(r io.Reader) (name, version string, err error) {
	err = eachLine(r, func(line string) bool {
		if strings.TrimSpace(line) == "" {
			return false
		}
		if line[0] == ' ' || line[0] == '\t' {
			return true
		}
		field, value, ok := splitField(line, ':')
		if !ok {
			return true
		}
		switch {
		case strings.EqualFold(field, "Name") && name == "":
			name = value
		case strings.EqualFold(field, "Version") && version == "":
			version = value
		}
		return name == "" || version == ""
	})
	return name, version, err
}

// separatorRun matches what PEP 503 folds into one "-".
var separatorRun = regexp.MustCompile(`[-_.]+`)

// normalizeName returns a distribution name as PEP 503 compares them:
// "Scikit_Learn" and "scikit.learn" both become "scikit-learn".
func normalizeName(name string) string {
	return strings.ToLower(separatorRun.ReplaceAllString(strings.TrimSpace(name), "-"))
}

// nameFromDirName recovers name and version from a metadata directory's
// name, "pkg_name-1.2.dist-info" or "pkg_name-1.2-py3.11.egg-info", for a
// distribution whose metadata file is missing or incomplete.
func nameFromDirName(dir string) (name, version string) {
	base := strings.TrimSuffix(strings.TrimSuffix(dir, ".dist-info"), ".egg-info")
	parts := strings.Split(base, "-")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", ""
	}
	return parts[0], parts[1]
}
