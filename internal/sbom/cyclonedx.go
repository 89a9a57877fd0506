package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// PredicateType is the in-toto predicate type of a signed CycloneDX SBOM,
// the one cosign's --type cyclonedx names.
const PredicateType = "https://cyclonedx.org/bom"

// serialSpace is the UUID namespace an SBOM's serial number is derived in
// from its environment's digest, so the same environment always gets the
// same serial number.
var serialSpace = uuid.MustParse("6f0bd3c2-45d9-4c6b-9a55-7b1cf1c3b8e5")

// CycloneDX returns the CycloneDX 1.6 SBOM of the environment record env,
// stored under digest d, as canonical JSON: the same record always gives
// the same bytes.
func CycloneDX(env *capture.Environment, d core.Digest) ([]byte, error) {
	inv := inventoryOf(env, d)
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = serialNumber(d)
	root := &cdx.Component{BOMRef: "environment", Type: cdx.ComponentTypePlatform, Name: "environment", Version: string(d),
		Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: d.Hex()}}, Properties: cdxProps(inv.props)}
	bom.Metadata = &cdx.Metadata{
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "lockstep"}}},
		Component: root,
	}
	comps := make([]cdx.Component, 0, len(inv.comps))
	deps := []cdx.Dependency{{Ref: "environment", Dependencies: &inv.top}}
	for _, c := range inv.comps {
		cc := cdx.Component{BOMRef: c.ref, Type: cdx.ComponentType(c.kind), Name: orUnknown(c.name), Version: c.version,
			PackageURL: c.purl, Properties: cdxProps(c.props)}
		if c.sha256 != "" {
			cc.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: c.sha256}}
		}
		comps = append(comps, cc)
		if len(c.depends) > 0 {
			deps = append(deps, cdx.Dependency{Ref: c.ref, Dependencies: &c.depends})
		}
	}
	bom.Components = &comps
	bom.Dependencies = &deps
	var buf bytes.Buffer
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, fmt.Errorf("encode SBOM of environment %s: %w", d, err)
	}
	b, err := core.CanonicalJSON(json.RawMessage(buf.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("encode SBOM of environment %s: %w", d, err)
	}
	return b, nil
}

func cdxProps(ps []property) *[]cdx.Property {
	var out []cdx.Property
	for _, p := range ps {
		if p.value != "" {
			out = append(out, cdx.Property{Name: p.name, Value: p.value})
		}
	}
	if out == nil {
		return nil
	}
	return &out
}

// orUnknown keeps a required name from being empty.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
