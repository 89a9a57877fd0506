package sbom

import (
	"fmt"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// SPDX3Context is the JSON-LD context of SPDX 3.0.1 documents.
const SPDX3Context = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"

// spdx3Object is one object of an SPDX 3.0.1 JSON-LD graph: every class
// an environment needs, with the properties of each (the empty ones are
// left out). Property names are the compacted ones of the SPDX 3.0.1
// context; software-profile ones carry their "software_" prefix.
type spdx3Object struct {
	Type         string `json:"type"`
	ID           string `json:"@id,omitempty"`    // blank nodes: the CreationInfo
	SPDXID       string `json:"spdxId,omitempty"` // elements
	CreationInfo string `json:"creationInfo,omitempty"`
	Name         string `json:"name,omitempty"`
	Comment      string `json:"comment,omitempty"`

	// CreationInfo
	SpecVersion  string   `json:"specVersion,omitempty"`
	Created      string   `json:"created,omitempty"`
	CreatedBy    []string `json:"createdBy,omitempty"`
	CreatedUsing []string `json:"createdUsing,omitempty"`

	// SpdxDocument, software_Sbom
	NamespaceMap       []spdx3Namespace `json:"namespaceMap,omitempty"`
	ProfileConformance []string         `json:"profileConformance,omitempty"`
	RootElement        []string         `json:"rootElement,omitempty"`
	DataLicense        string           `json:"dataLicense,omitempty"`
	SBOMType           []string         `json:"software_sbomType,omitempty"`

	// simplelicensing_LicenseExpression
	LicenseExpression string `json:"simplelicensing_licenseExpression,omitempty"`

	// software_Package
	Version       string      `json:"software_packageVersion,omitempty"`
	PURL          string      `json:"software_packageUrl,omitempty"`
	Purpose       string      `json:"software_primaryPurpose,omitempty"`
	VerifiedUsing []spdx3Hash `json:"verifiedUsing,omitempty"`

	// Relationship
	From             string   `json:"from,omitempty"`
	RelationshipType string   `json:"relationshipType,omitempty"`
	To               []string `json:"to,omitempty"`
}

type spdx3Namespace struct {
	Type      string `json:"type"`
	Prefix    string `json:"prefix"`
	Namespace string `json:"namespace"`
}

type spdx3Hash struct {
	Type      string `json:"type"`
	Algorithm string `json:"algorithm"`
	HashValue string `json:"hashValue"`
}

// spdx3Purpose maps component kinds to SPDX 3 software purposes. SPDX
// 3.0.1 has no hardware class: the CPU and GPUs are packages of purpose
// device, as in SPDX 2.3.
var spdx3Purpose = map[string]string{"library": "library", "operating-system": "operatingSystem",
	"application": "application", "device": "device", "device-driver": "deviceDriver", "platform": "platform"}

// SPDX3 returns the SPDX 3.0.1 JSON-LD SBOM (core and software profiles)
// of the environment record env, stored under digest d, stamped with the
// creation time SPDX requires (all else is the same each time). It says
// what CycloneDX and SPDX say: one software_Package per component with
// its package URL and archive digest, the environment a package of
// purpose platform that contains the operating system, the interpreter
// and the hardware, the operating system and the interpreter containing
// their packages, and dependsOn relationships between packages (and from
// a GPU to its driver) where they resolve.
//
// The document is https://lockstep.dev/spdx/environment/HEX; its elements
// are named under it, through the document's namespace map prefix "env:"
// (the SPDX 3 way of keeping ids short), by what each element is
// ("env:pypi/numpy", "env:dpkg/libc6/amd64"), so one environment always
// gets the same ids.
func SPDX3(env *capture.Environment, d core.Digest, created time.Time) ([]byte, error) {
	inv := inventoryOf(env, d)
	base := "https://lockstep.dev/spdx/environment/" + d.Hex()
	id := func(ref string) string { return "env:" + spdx3Path(ref) }
	const ci = "_:creationinfo"
	graph := []spdx3Object{
		{Type: "CreationInfo", ID: ci, SpecVersion: "3.0.1", Created: created.UTC().Format("2006-01-02T15:04:05Z"),
			CreatedBy: []string{"env:agent/lockstep"}, CreatedUsing: []string{"env:tool/lockstep"}},
		{Type: "SoftwareAgent", SPDXID: "env:agent/lockstep", CreationInfo: ci, Name: "lockstep"},
		{Type: "Tool", SPDXID: "env:tool/lockstep", CreationInfo: ci, Name: "lockstep"},
		{Type: "SpdxDocument", SPDXID: base, CreationInfo: ci, Name: "environment " + string(d),
			NamespaceMap:       []spdx3Namespace{{"NamespaceMap", "env", base + "/"}},
			ProfileConformance: []string{"core", "software"}, RootElement: []string{"env:sbom"}, DataLicense: "env:license/CC0-1.0"},
		{Type: "simplelicensing_LicenseExpression", SPDXID: "env:license/CC0-1.0", CreationInfo: ci, LicenseExpression: "CC0-1.0"},
		{Type: "software_Sbom", SPDXID: "env:sbom", CreationInfo: ci, Name: "environment " + string(d),
			ProfileConformance: []string{"core", "software"}, RootElement: []string{id("environment")}, SBOMType: []string{"deployed"}},
		{Type: "software_Package", SPDXID: id("environment"), CreationInfo: ci, Name: "environment", Version: string(d), Purpose: "platform",
			VerifiedUsing: []spdx3Hash{{"Hash", "sha256", d.Hex()}}, Comment: propsComment(inv.props)},
	}
	known := map[string]bool{}
	for _, c := range inv.comps {
		known[c.ref] = true
	}
	rels := []spdx3Object{relationship3(id, "environment", "contains", inv.top)}
	for _, c := range inv.comps {
		p := spdx3Object{Type: "software_Package", SPDXID: id(c.ref), CreationInfo: ci, Name: orUnknown(c.name), Version: c.version,
			PURL: c.purl, Purpose: spdx3Purpose[c.kind], Comment: propsComment(c.props)}
		if c.sha256 != "" {
			p.VerifiedUsing = []spdx3Hash{{"Hash", "sha256", c.sha256}}
		}
		graph = append(graph, p)
		var to []string
		for _, dep := range c.depends {
			if known[dep] {
				to = append(to, dep)
			}
		}
		if len(to) > 0 {
			typ := "dependsOn"
			if holds(c.kind) {
				typ = "contains"
			}
			rels = append(rels, relationship3(id, c.ref, typ, to))
		}
	}
	for i := range rels {
		rels[i].CreationInfo = ci
	}
	b, err := core.CanonicalJSON(struct {
		Context string        `json:"@context"`
		Graph   []spdx3Object `json:"@graph"`
	}{SPDX3Context, append(graph, rels...)})
	if err != nil {
		return nil, fmt.Errorf("encode SPDX 3 SBOM of environment %s: %w", d, err)
	}
	return b, nil
}

// relationship3 is the relationship of type typ from the component
// named by ref to those named by refs.
func relationship3(id func(string) string, ref, typ string, refs []string) spdx3Object {
	to := make([]string, len(refs))
	for i, r := range refs {
		to[i] = id(r)
	}
	return spdx3Object{Type: "Relationship", SPDXID: "env:relationship/" + typ + "/" + spdx3Path(ref),
		From: id(ref), RelationshipType: typ, To: to}
}

// spdx3Path turns a component's ref into the path of its IRI: each part
// between colons percent-encoded as in a package URL, the parts joined
// by slashes ("dpkg:libc6:amd64" is "dpkg/libc6/amd64"). Encoded parts
// hold no slash, so distinct refs give distinct paths, and a hostile
// package name cannot reach outside its own element's IRI.
func spdx3Path(ref string) string {
	parts := strings.Split(ref, ":")
	for i, p := range parts {
		parts[i] = escape(p)
	}
	return strings.Join(parts, "/")
}

// holds tells a component that contains the ones it lists (the operating
// system its packages, the interpreter its distributions) from one that
// depends on them.
func holds(kind string) bool { return kind == "operating-system" || kind == "application" }
