package sbom

import (
	"fmt"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// Format names an SBOM format lockstep writes.
type Format string

// The formats of Render.
const (
	// FormatCycloneDX is CycloneDX 1.6 JSON, the default: the document a
	// signed run signs and its provenance and ML-BOM name.
	FormatCycloneDX Format = "cyclonedx"
	// FormatSPDX is SPDX 2.3 JSON.
	FormatSPDX Format = "spdx"
	// FormatSPDX3 is SPDX 3.0.1 JSON-LD.
	FormatSPDX3 Format = "spdx3"
)

// Formats lists the formats Render writes, the default first.
var Formats = []Format{FormatCycloneDX, FormatSPDX, FormatSPDX3}

// The in-toto predicate types of signed SPDX documents, as the in-toto
// attestation framework's predicate list (v1.2.0) names them; cosign's
// --type spdx is the first.
const (
	SPDXPredicateType  = "https://spdx.dev/Document"
	SPDX3PredicateType = "https://spdx.dev/Document/v3"
)

// ParseFormat returns the format named s, or an error listing the
// formats there are.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown SBOM format %q: use %s or %s", s, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

// Render writes the environment record env (stored under digest d) in
// format f and names the result, with the predicate type that signs it.
// SPDX documents are stamped with created, as SPDX requires; a CycloneDX
// document has no timestamp, so one environment has one CycloneDX digest.
func Render(env *capture.Environment, d core.Digest, f Format, created time.Time) (*Document, error) {
	var (
		b   []byte
		typ string
		err error
	)
	switch f {
	case FormatCycloneDX:
		return New(env, d)
	case FormatSPDX:
		b, err = SPDX(env, d, created)
		typ = SPDXPredicateType
	case FormatSPDX3:
		b, err = SPDX3(env, d, created)
		typ = SPDX3PredicateType
	default:
		_, err = ParseFormat(string(f))
	}
	if err != nil {
		return nil, err
	}
	return &Document{Environment: d, Bytes: b, Digest: core.DigestOf(b), PredicateType: typ}, nil
}
