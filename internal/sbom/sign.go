package sbom

import (
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// MediaType is the media type of the CycloneDX JSON documents CycloneDX
// writes.
const MediaType = "application/vnd.cyclonedx+json"

// Document is the SBOM of one environment record: its bytes, their
// digest, the predicate type that signs it, and for CycloneDX the
// BOM-Link other CycloneDX documents name it by.
type Document struct {
	// Environment is the digest of the environment record it describes.
	Environment core.Digest
	// Bytes is the canonical JSON CycloneDX (or SPDX, SPDX3) returns.
	Bytes []byte
	// Digest is the sha256 of Bytes: the same environment record always
	// gives the same CycloneDX digest.
	Digest core.Digest
	// BOMLink is "urn:cdx:SERIAL/1", the CycloneDX BOM-Link of the
	// document (its serial number and version); "" for SPDX.
	BOMLink string
	// PredicateType is the in-toto predicate type of the signed document:
	// PredicateType, SPDXPredicateType or SPDX3PredicateType.
	PredicateType string
}

// New renders env (stored under digest d) as CycloneDX and names the
// result.
func New(env *capture.Environment, d core.Digest) (*Document, error) {
	b, err := CycloneDX(env, d)
	if err != nil {
		return nil, err
	}
	return &Document{Environment: d, Bytes: b, Digest: core.DigestOf(b), BOMLink: BOMLink(d), PredicateType: PredicateType}, nil
}

// BOMLink is the CycloneDX BOM-Link (urn:cdx:SERIAL/VERSION) of the SBOM of
// the environment stored under d.
func BOMLink(d core.Digest) string {
	return "urn:cdx:" + strings.TrimPrefix(serialNumber(d), "urn:uuid:") + "/1"
}

// serialNumber is the SBOM's serial number, derived from its environment's
// digest.
func serialNumber(d core.Digest) string {
	return "urn:uuid:" + uuid.NewSHA1(serialSpace, []byte(d)).String()
}

// SubjectName is the name of the subject of a signed SBOM: the environment
// record it describes.
const SubjectName = "environment"

// Statement returns the in-toto statement that signs the document: the
// whole document as the predicate, of the document's predicate type
// (PredicateType is what `cosign verify-blob-attestation --type
// cyclonedx` expects, SPDXPredicateType --type spdx), about the
// environment record it describes, whose bytes `lockstep cat` writes.
func (doc *Document) Statement() *attest.Statement {
	return attest.NewStatement([]attest.Subject{{Name: SubjectName, Digest: doc.Environment}}, doc.PredicateType, json.RawMessage(doc.Bytes))
}
