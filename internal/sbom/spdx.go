package sbom

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// The SPDX 2.3 JSON document, as much of it as an environment needs.
type (
	spdxDoc struct {
		SPDXVersion       string             `json:"spdxVersion"`
		DataLicense       string             `json:"dataLicense"`
		SPDXID            string             `json:"SPDXID"`
		Name              string             `json:"name"`
		DocumentNamespace string             `json:"documentNamespace"`
		CreationInfo      spdxCreation       `json:"creationInfo"`
		DocumentDescribes []string           `json:"documentDescribes"`
		Packages          []spdxPackage      `json:"packages"`
		Relationships     []spdxRelationship `json:"relationships"`
	}
	spdxCreation struct {
		Created  string   `json:"created"`
		Creators []string `json:"creators"`
	}
	spdxPackage struct {
		SPDXID           string            `json:"SPDXID"`
		Name             string            `json:"name"`
		VersionInfo      string            `json:"versionInfo,omitempty"`
		DownloadLocation string            `json:"downloadLocation"`
		FilesAnalyzed    bool              `json:"filesAnalyzed"`
		Purpose          string            `json:"primaryPackagePurpose,omitempty"`
		Checksums        []spdxChecksum    `json:"checksums,omitempty"`
		ExternalRefs     []spdxExternalRef `json:"externalRefs,omitempty"`
		Comment          string            `json:"comment,omitempty"`
	}
	spdxChecksum struct {
		Algorithm string `json:"algorithm"`
		Value     string `json:"checksumValue"`
	}
	spdxExternalRef struct {
		Category string `json:"referenceCategory"`
		Type     string `json:"referenceType"`
		Locator  string `json:"referenceLocator"`
	}
	spdxRelationship struct {
		Element string `json:"spdxElementId"`
		Type    string `json:"relationshipType"`
		Related string `json:"relatedSpdxElement"`
	}
)

// spdxPurpose maps component kinds to SPDX primary package purposes.
var spdxPurpose = map[string]string{"library": "LIBRARY", "operating-system": "OPERATING_SYSTEM",
	"application": "APPLICATION", "device": "DEVICE", "device-driver": "FIRMWARE", "platform": "CONTAINER", "framework": "FRAMEWORK"}

// SPDX returns the SPDX 2.3 JSON SBOM of the environment record env,
// stored under digest d, stamped with the creation time SPDX requires
// (all else is the same each time).
func SPDX(env *capture.Environment, d core.Digest, created time.Time) ([]byte, error) {
	inv := inventoryOf(env, d)
	ids := map[string]string{"environment": "SPDXRef-environment"}
	for i, c := range inv.comps {
		ids[c.ref] = "SPDXRef-" + strconv.Itoa(i) // names may hold anything; ids may not
	}
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              "environment " + string(d),
		DocumentNamespace: "https://lockstep.dev/spdx/environment/" + d.Hex(),
		CreationInfo:      spdxCreation{Created: created.UTC().Format(time.RFC3339), Creators: []string{"Tool: lockstep"}},
		DocumentDescribes: []string{"SPDXRef-environment"},
	}
	root := spdxPackage{SPDXID: "SPDXRef-environment", Name: "environment", VersionInfo: string(d), DownloadLocation: "NOASSERTION",
		Purpose: "CONTAINER", Checksums: []spdxChecksum{{"SHA256", d.Hex()}}, Comment: propsComment(inv.props)}
	doc.Packages = append(doc.Packages, root)
	doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-environment"})
	for _, ref := range inv.top {
		doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-environment", "CONTAINS", ids[ref]})
	}
	for _, c := range inv.comps {
		p := spdxPackage{SPDXID: ids[c.ref], Name: orUnknown(c.name), VersionInfo: c.version, DownloadLocation: "NOASSERTION",
			Purpose: spdxPurpose[c.kind], Comment: propsComment(c.props)}
		if c.purl != "" {
			p.ExternalRefs = []spdxExternalRef{{"PACKAGE-MANAGER", "purl", c.purl}}
		}
		if c.sha256 != "" {
			p.Checksums = []spdxChecksum{{"SHA256", c.sha256}}
		}
		doc.Packages = append(doc.Packages, p)
		typ := "DEPENDS_ON"
		if holds(c.kind) {
			typ = "CONTAINS"
		}
		for _, dep := range c.depends {
			if id := ids[dep]; id != "" {
				doc.Relationships = append(doc.Relationships, spdxRelationship{p.SPDXID, typ, id})
			}
		}
	}
	b, err := core.CanonicalJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("encode SPDX SBOM of environment %s: %w", d, err)
	}
	return b, nil
}

// propsComment writes properties as "name: value" lines, SPDX 2.3 having
// no properties of its own.
func propsComment(ps []property) string {
	var b strings.Builder
	for _, p := range ps {
		if p.value != "" {
			b.WriteString(p.name + ": " + p.value + "\n")
		}
	}
	return b.String()
}
