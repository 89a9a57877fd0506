package version

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupported is wrapped when no ordering is known for an ecosystem.
var ErrUnsupported = errors.New("no version ordering for this ecosystem")

// maxLen bounds the versions a comparator accepts: no real version is
// longer, and a hostile one must not cost more than a few microseconds.
const maxLen = 256

// Ordering compares two versions of one ecosystem: negative when a < b,
// zero when they are equal, positive when a > b. An unreadable version is
// an error naming it.
type Ordering func(a, b string) (int, error)

// ForEcosystem returns the ordering of an OSV ecosystem's versions (the
// part before any ":", so "Debian:12" orders as Debian), or an error
// wrapping ErrUnsupported.
func ForEcosystem(ecosystem string) (Ordering, error) {
	base, _, _ := strings.Cut(ecosystem, ":")
	switch base {
	case "PyPI":
		return ComparePEP440, nil
	case "Debian", "Ubuntu":
		return CompareDebian, nil
	case "npm", "crates.io", "Go":
		return CompareSemVer, nil
	}
	return nil, fmt.Errorf("ecosystem %q: %w", ecosystem, ErrUnsupported)
}

// checkLen rejects empty and overlong versions.
func checkLen(kind, v string) error {
	if v == "" {
		return fmt.Errorf("empty %s version", kind)
	}
	if len(v) > maxLen {
		return fmt.Errorf("%s version %.32q... is longer than %d bytes", kind, v, maxLen)
	}
	return nil
}

// compareWith parses both versions and compares them.
func compareWith[V interface{ Compare(V) int }](parse func(string) (V, error), a, b string) (int, error) {
	va, err := parse(a)
	if err != nil {
		return 0, err
	}
	vb, err := parse(b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}
