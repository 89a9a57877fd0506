package dataset

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
)

// BOMPredicateType is the in-toto predicate type of a signed CycloneDX BOM.
const BOMPredicateType = "https://cyclonedx.org/bom"

// Property names lockstep writes into dataset BOMs.
const (
	propTree        = "lockstep:tree"
	propFiles       = "lockstep:files"
	propSize        = "lockstep:size"
	propMode        = "lockstep:mode"
	propKind        = "lockstep:kind"
	propTarget      = "lockstep:target"
	propAllowPickle = "lockstep:allow-pickle" // written before pickle policies
	propPickle      = "lockstep:pickle-policy"
	propScanPrefix  = "lockstep:scan:"
	propRedirect    = "lockstep:redirect"
	propInsecure    = "lockstep:insecure-transport"
	propCardPrefix  = "lockstep:datasheet:"
	propFormat      = "lockstep:format"
	propRows        = "lockstep:rows"
	propColumns     = "lockstep:columns"
)

// Classifications a dataset may carry, least restricted first.
const (
	Public     = "public"
	Internal   = "internal"
	Restricted = "restricted"
)

// Description is what a producer says about a dataset: everything in its
// bill of materials except the files, which come from the tree.
type Description struct {
	Ref            Ref
	Description    string
	License        string // an SPDX license id or expression
	Producer       string
	Classification string // Public, Internal or Restricted
	Sources        []Fetched
	Card           *Card
	// PicklePolicy is the format policy the files were scanned under;
	// anything but deny (or empty) records that pickles were let in on
	// purpose.
	PicklePolicy scan.PicklePolicy
	// Scans are the scanner's findings by file path (nil: none).
	Scans map[string]FileScan
}

// BuildBOM returns the CycloneDX 1.6 bill of materials of dataset tree
// (digest d). The dataset is the BOM's metadata component, of type data,
// with one file sub-component per tree entry.
func BuildBOM(desc Description, d core.Digest, tree *core.Tree, created time.Time) *cdx.BOM {
	ref := desc.Ref.String()
	comp := cdx.Component{
		BOMRef:      "dataset:" + ref,
		Type:        cdx.ComponentTypeData,
		Name:        desc.Ref.Name,
		Version:     desc.Ref.Version,
		Description: desc.Description,
	}
	if desc.Producer != "" {
		comp.Supplier = &cdx.OrganizationalEntity{Name: desc.Producer}
	}
	if desc.License != "" {
		comp.Licenses = &cdx.Licenses{{Expression: desc.License}}
	}
	if refs := sourceReferences(desc.Sources); len(refs) > 0 {
		comp.ExternalReferences = &refs
	}
	comp.Data = &[]cdx.ComponentData{dataEntry(desc)}
	props := []cdx.Property{
		{Name: propTree, Value: string(d)},
		{Name: propFiles, Value: strconv.Itoa(len(tree.Entries))},
		{Name: propSize, Value: strconv.FormatInt(tree.Size(), 10)},
	}
	if p := desc.PicklePolicy; p != "" && p != scan.PickleDeny {
		props = append(props, cdx.Property{Name: propPickle, Value: string(p)})
	}
	for _, e := range tree.Entries {
		if f := desc.Scans[e.Path]; f.Flagged() {
			props = append(props, cdx.Property{Name: propScanPrefix + e.Path, Value: strings.TrimSuffix(f.Verdict+": "+f.Note, ": ")})
		}
	}
	props = append(props, sourceProperties(desc.Sources)...)
	comp.Properties = &props
	files := fileComponents("dataset:"+ref, tree, desc.Scans)
	comp.Components = &files

	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://lockstep.dev/datasets/"+ref+"#"+string(d))).String()
	bom.Metadata = &cdx.Metadata{
		Timestamp: created.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{
			{Type: cdx.ComponentTypeApplication, Name: "lockstep"},
		}},
		Component: &comp,
	}
	return bom
}

// dataEntry is the component's data[] entry: classification, governance
// and the datasheet answers.
func dataEntry(desc Description) cdx.ComponentData {
	e := cdx.ComponentData{
		BOMRef:         "dataset:" + desc.Ref.String() + "#data",
		Type:           cdx.ComponentDataTypeDataset,
		Name:           desc.Ref.String(),
		Classification: desc.Classification,
		Description:    desc.Description,
	}
	var owners []cdx.ComponentDataGovernanceResponsibleParty
	if desc.Producer != "" {
		owners = append(owners, cdx.ComponentDataGovernanceResponsibleParty{Organization: &cdx.OrganizationalEntity{Name: desc.Producer}})
	}
	if c := desc.Card; c != nil {
		for _, o := range c.Owners {
			owners = append(owners, cdx.ComponentDataGovernanceResponsibleParty{Contact: &cdx.OrganizationalContact{Name: o}})
		}
		var answers []cdx.Property
		for _, a := range c.Answers() {
			answers = append(answers, cdx.Property{Name: propCardPrefix + a.Field, Value: a.Text})
		}
		e.Contents = &cdx.ComponentDataContents{Properties: &answers}
		if holdsPersonalData(c.PersonalData) {
			e.SensitiveData = &[]string{c.PersonalData}
		}
	}
	if len(owners) > 0 {
		e.Governance = &cdx.DataGovernance{Owners: &owners}
	}
	return e
}

// fileComponents lists the tree's entries as file components whose
// bom-refs are prefix/PATH, with the scanner's format and counts.
func fileComponents(prefix string, tree *core.Tree, scans map[string]FileScan) []cdx.Component {
	out := make([]cdx.Component, 0, len(tree.Entries))
	for _, e := range tree.Entries {
		c := cdx.Component{
			BOMRef: prefix + "/" + e.Path,
			Type:   cdx.ComponentTypeFile,
			Name:   e.Path,
		}
		props := []cdx.Property{{Name: propSize, Value: strconv.FormatInt(e.Size, 10)},
			{Name: propMode, Value: strconv.FormatUint(uint64(e.Mode), 8)}}
		props = append(props, scanProperties(scans[e.Path])...)
		switch e.Kind {
		case core.KindFile:
			c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: e.Digest.Hex()}}
		case core.KindSymlink:
			props = append(props, cdx.Property{Name: propKind, Value: e.Kind}, cdx.Property{Name: propTarget, Value: e.Target})
		default:
			props = append(props, cdx.Property{Name: propKind, Value: e.Kind})
		}
		c.Properties = &props
		out = append(out, c)
	}
	return out
}

// sourceReferences lists where the data came from: each source as a
// distribution reference with the digest seen, and each redirect target.
func sourceReferences(srcs []Fetched) []cdx.ExternalReference {
	var refs []cdx.ExternalReference
	for _, s := range srcs {
		r := cdx.ExternalReference{Type: cdx.ERTypeDistribution, URL: s.URL}
		if s.Digest != "" {
			r.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: s.Digest.Hex()}}
		}
		refs = append(refs, r)
		for _, hop := range s.Redirects {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeDistributionIntake, URL: hop,
				Comment: fmt.Sprintf("redirect while fetching %s", s.URL)})
		}
	}
	return refs
}

// sourceProperties records redirects to other hosts and plain-http fetches.
func sourceProperties(srcs []Fetched) []cdx.Property {
	var props []cdx.Property
	for _, s := range srcs {
		for _, hop := range s.Redirects {
			props = append(props, cdx.Property{Name: propRedirect, Value: s.URL + " -> " + hop})
		}
		if s.Insecure {
			props = append(props, cdx.Property{Name: propInsecure, Value: s.URL})
		}
	}
	return props
}

// holdsPersonalData reads a card's personal_data answer: anything but a
// blank or a plain "no"/"none"/"n/a" says the data holds some.
func holdsPersonalData(answer string) bool {
	a := strings.ToLower(strings.TrimSpace(answer))
	a = strings.TrimRight(a, ".")
	switch a {
	case "", "no", "none", "n/a", "false":
		return false
	}
	return true
}

// scanProperties records a file's format and its row and column counts.
func scanProperties(f FileScan) []cdx.Property {
	var props []cdx.Property
	if f.Format != "" {
		props = append(props, cdx.Property{Name: propFormat, Value: f.Format})
	}
	if f.Rows > 0 {
		props = append(props, cdx.Property{Name: propRows, Value: strconv.FormatInt(f.Rows, 10)})
	}
	if f.Columns > 0 {
		props = append(props, cdx.Property{Name: propColumns, Value: strconv.FormatInt(f.Columns, 10)})
	}
	return props
}
