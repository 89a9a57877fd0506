package dataset

import (
	"fmt"
	"regexp"
	"strings"
)

// Kind is the catalog kind of dataset name bindings.
const Kind = "dataset"

var (
	nameRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
)

// maxRefPart bounds the length of a name or a version.
const maxRefPart = 128

// Ref is a canonical dataset reference, NAME@VERSION.
type Ref struct {
	Name    string
	Version string
}

// ParseRef checks and splits NAME@VERSION. Names are lowercase letters,
// digits, ".", "_" and "-", starting with a letter or digit; versions may
// also hold capitals and "+". Nothing else is accepted: no slashes, no
// whitespace, no "..", so a reference can never name a path.
func ParseRef(s string) (Ref, error) {
	name, version, ok := strings.Cut(s, "@")
	if !ok {
		return Ref{}, fmt.Errorf("dataset %q: %w: want NAME@VERSION, e.g. housing@2017", s, ErrBadRef)
	}
	if len(name) > maxRefPart || !nameRE.MatchString(name) || strings.Contains(name, "..") {
		return Ref{}, fmt.Errorf("dataset %q: %w: name %q must match [a-z0-9][a-z0-9._-]* (at most %d characters, no \"..\")", s, ErrBadRef, name, maxRefPart)
	}
	if len(version) > maxRefPart || !versionRE.MatchString(version) || strings.Contains(version, "..") {
		return Ref{}, fmt.Errorf("dataset %q: %w: version %q must match [A-Za-z0-9][A-Za-z0-9._+-]* (at most %d characters, no \"..\")", s, ErrBadRef, version, maxRefPart)
	}
	return Ref{Name: name, Version: version}, nil
}

// String returns NAME@VERSION.
func (r Ref) String() string { return r.Name + "@" + r.Version }

// Source returns the artifact source a run records for the dataset,
// "dataset:NAME@VERSION".
func (r Ref) Source() string { return "dataset:" + r.String() }
