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
		// Python reads metadata with universal newlines: a lone CR ends a line too.
		for _, l := range strings.Split(line, "\r") {
			if metadataLine(l, &name, &version) {
				return false
			}
		}
		return true
	})
	return name, version, err
}

// metadataLine reads one header line into name or version; done is set
// at the end of the headers or once both are known.
func metadataLine(line string, name, version *string) (done bool) {
	if strings.TrimSpace(line) == "" {
		return true
	}
	if line[0] == ' ' || line[0] == '\t' {
		return false
	}
	field, value, ok := splitField(line, ':')
	switch {
	case !ok:
	case strings.EqualFold(field, "Name") && *name == "":
		*name = value
	case strings.EqualFold(field, "Version") && *version == "":
		*version = value
	}
	return *name != "" && *version != ""
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
