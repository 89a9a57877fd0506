package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
)

// BOM is the parsed view of a dataset's bill of materials: what lockstep
// reads back from the CycloneDX document.
type BOM struct {
	Ref            Ref
	Tree           core.Digest
	Description    string
	License        string
	Producer       string
	Classification string
	// Entries are the dataset's files, in tree order; core.NewTree of them
	// hashes to Tree.
	Entries []core.TreeEntry
	// Scans are the scanner's facts by file path (format, rows, columns).
	Scans map[string]FileScan
	// Sources are the distribution URLs the data came from.
	Sources []string
	// PicklePolicy is the format policy that let pickles in, or empty.
	PicklePolicy scan.PicklePolicy
	// Doc is the whole CycloneDX document.
	Doc *cdx.BOM
}

// EncodeBOM writes bom as CycloneDX 1.6 JSON in canonical form
// (core.CanonicalJSON), the bytes that are stored, digested and signed.
func EncodeBOM(bom *cdx.BOM) ([]byte, error) {
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, fmt.Errorf("encode bill of materials: %w", err)
	}
	b, err := core.CanonicalJSON(json.RawMessage(buf.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("encode bill of materials: %w", err)
	}
	return b, nil
}

// maxBOMSize bounds a BOM read from outside, to refuse absurd documents
// before decoding them (a million files fit comfortably).
const maxBOMSize = 1 << 30

// ParseBOM decodes a dataset BOM written by EncodeBOM (or by another tool
// following the same layout) and checks it: CycloneDX 1.6 JSON whose
// metadata component is a data component with a valid NAME@VERSION,
// a tree digest, and one file component per entry with a SHA-256, a size
// and a mode, whose tree hashes to the recorded digest. Errors wrap ErrBadBOM
// and name the offending field.
func ParseBOM(b []byte) (*BOM, error) {
	if len(b) > maxBOMSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrBadBOM, maxBOMSize)
	}
	doc := new(cdx.BOM)
	if err := cdx.NewBOMDecoder(bytes.NewReader(b), cdx.BOMFileFormatJSON).Decode(doc); err != nil {
		return nil, fmt.Errorf("%w: not CycloneDX JSON: %v", ErrBadBOM, err)
	}
	if doc.BOMFormat != cdx.BOMFormat {
		return nil, fmt.Errorf("%w: bomFormat is %q, want %q", ErrBadBOM, doc.BOMFormat, cdx.BOMFormat)
	}
	if doc.SpecVersion != cdx.SpecVersion1_6 {
		return nil, fmt.Errorf("%w: specVersion is %s, want 1.6", ErrBadBOM, doc.SpecVersion)
	}
	if doc.Metadata == nil || doc.Metadata.Component == nil || doc.Metadata.Component.Type != cdx.ComponentTypeData {
		return nil, fmt.Errorf("%w: metadata.component must be the dataset, a component of type data", ErrBadBOM)
	}
	c := doc.Metadata.Component
	ref, err := ParseRef(c.Name + "@" + c.Version)
	if err != nil {
		return nil, fmt.Errorf("%w: metadata.component name and version: %v", ErrBadBOM, err)
	}
	out := &BOM{Ref: ref, Description: c.Description, Doc: doc, Scans: map[string]FileScan{}}
	if c.Supplier != nil {
		out.Producer = c.Supplier.Name
	}
	if c.Licenses != nil && len(*c.Licenses) > 0 {
		out.License = (*c.Licenses)[0].Expression
	}
	if c.Data != nil && len(*c.Data) > 0 {
		out.Classification = (*c.Data)[0].Classification
	}
	switch out.Classification {
	case Public, Internal, Restricted:
	default:
		return nil, fmt.Errorf("%w: metadata.component.data[0].classification is %q, want public, internal or restricted", ErrBadBOM, out.Classification)
	}
	props := properties(c.Properties)
	if out.Tree, err = core.ParseDigest(props[propTree]); err != nil || !strings.HasPrefix(props[propTree], core.DigestPrefix) {
		return nil, fmt.Errorf("%w: property %s: want the dataset's tree digest sha256:<hex>", ErrBadBOM, propTree)
	}
	out.PicklePolicy = scan.PicklePolicy(props[propPickle])
	if props[propAllowPickle] == "true" {
		out.PicklePolicy = scan.PickleAllow
	}
	if c.ExternalReferences != nil {
		for _, r := range *c.ExternalReferences {
			if r.Type == cdx.ERTypeDistribution {
				out.Sources = append(out.Sources, r.URL)
			}
		}
	}
	if c.Components != nil {
		for i, fc := range *c.Components {
			e, err := fileEntry(fc)
			if err != nil {
				return nil, fmt.Errorf("%w: metadata.component.components[%d] %q: %v", ErrBadBOM, i, fc.Name, err)
			}
			out.Entries = append(out.Entries, e)
			if f := fileScan(fc.Properties); f != (FileScan{}) {
				out.Scans[e.Path] = f
			}
		}
	}
	tree := &core.Tree{Type: core.TreeType, Entries: out.Entries}
	if err := tree.Validate(); err != nil {
		return nil, fmt.Errorf("%w: files: %v", ErrBadBOM, err)
	}
	if _, d, err := core.DigestJSON(tree); err != nil || d != out.Tree {
		return nil, fmt.Errorf("%w: the files listed hash to tree %s, not to %s (%s)", ErrBadBOM, d, out.Tree, propTree)
	}
	return out, nil
}

// fileEntry turns a file component back into its tree entry.
func fileEntry(c cdx.Component) (core.TreeEntry, error) {
	if c.Type != cdx.ComponentTypeFile {
		return core.TreeEntry{}, fmt.Errorf("type is %q, want file", c.Type)
	}
	props := properties(c.Properties)
	e := core.TreeEntry{Path: c.Name, Kind: core.KindFile, Target: props[propTarget]}
	if k := props[propKind]; k != "" {
		e.Kind = k
	}
	size, err := strconv.ParseInt(props[propSize], 10, 64)
	if err != nil || size < 0 {
		return e, fmt.Errorf("property %s: want a byte count", propSize)
	}
	mode, err := strconv.ParseUint(props[propMode], 8, 32)
	if err != nil {
		return e, fmt.Errorf("property %s: want an octal file mode", propMode)
	}
	e.Size, e.Mode = size, uint32(mode)
	if e.Kind == core.KindFile {
		if c.Hashes == nil || len(*c.Hashes) != 1 || (*c.Hashes)[0].Algorithm != cdx.HashAlgoSHA256 {
			return e, fmt.Errorf("want exactly one SHA-256 hash")
		}
		if e.Digest, err = core.ParseDigest((*c.Hashes)[0].Value); err != nil || strings.Contains((*c.Hashes)[0].Value, ":") {
			return e, fmt.Errorf("hashes[0].content: want 64 lowercase hex digits")
		}
	}
	return e, nil
}

// properties maps property names to values (the first of each name).
func properties(ps *[]cdx.Property) map[string]string {
	m := map[string]string{}
	if ps == nil {
		return m
	}
	for _, p := range *ps {
		if _, ok := m[p.Name]; !ok {
			m[p.Name] = p.Value
		}
	}
	return m
}

// Datasheet returns the datasheet answers the BOM carries, by card field
// (motivation, composition, ...).
func (b *BOM) Datasheet() map[string]string {
	out := map[string]string{}
	c := b.Doc.Metadata.Component
	if c.Data == nil || len(*c.Data) == 0 || (*c.Data)[0].Contents == nil {
		return out
	}
	for k, v := range properties((*c.Data)[0].Contents.Properties) {
		if field, ok := strings.CutPrefix(k, propCardPrefix); ok {
			out[field] = v
		}
	}
	return out
}

// fileScan reads the scanner's facts back from a file component.
func fileScan(ps *[]cdx.Property) FileScan {
	props := properties(ps)
	f := FileScan{Format: props[propFormat]}
	f.Rows, _ = strconv.ParseInt(props[propRows], 10, 64)
	f.Columns, _ = strconv.ParseInt(props[propColumns], 10, 64)
	return f
}
