package sbom

import (
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/capture"
)

// purl writes a package URL (github.com/package-url/purl-spec): every byte
// of namespace, name, version and qualifier values outside the unreserved
// set is percent-encoded, so a hostile package name cannot add a
// qualifier or a subpath.
func purl(typ, namespace, name, version string, qualifiers map[string]string) string {
	var b strings.Builder
	b.WriteString("pkg:" + typ + "/")
	if namespace != "" {
		b.WriteString(escape(namespace) + "/")
	}
	b.WriteString(escape(name))
	if version != "" {
		b.WriteString("@" + escape(version))
	}
	keys := make([]string, 0, len(qualifiers))
	for k, v := range qualifiers {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		b.WriteByte("?&"[min(i, 1)])
		b.WriteString(k + "=" + escape(qualifiers[k]))
	}
	return b.String()
}

func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// osPURL is the package URL of one OS package: pkg:deb/debian/bash@5.2?arch=amd64&distro=debian-12,
// and pkg:rpm or pkg:apk alike.
func osPURL(manager string, os capture.OSInfo, p capture.Package) string {
	typ := map[string]string{"dpkg": "deb", "rpm": "rpm", "apk": "apk"}[manager]
	if typ == "" {
		typ = "generic"
	}
	distro := os.ID
	if os.VersionID != "" {
		distro += "-" + os.VersionID
	}
	return purl(typ, os.ID, p.Name, p.Version, map[string]string{"arch": p.Arch, "distro": distro})
}

// pypiPURL is the package URL of a Python distribution.
func pypiPURL(p capture.Package) string { return purl("pypi", "", p.Name, p.Version, nil) }
