package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/store"
)

// ImportOptions say where a dataset produced elsewhere comes from.
type ImportOptions struct {
	// BOM is the producer's bill of materials (any JSON formatting).
	BOM []byte
	// Bundle is the producer's signed statement over the BOM, or nil.
	Bundle []byte
	// Keys are the producer keys the bundle must verify with; required
	// when Bundle is set.
	Keys []*attest.PublicKey
	// From is a folder holding the dataset's files at their BOM paths;
	// "" fetches a single-file dataset from its distribution URL.
	From string
	// MaxSize bounds a download; 0 means DefaultMaxSize.
	MaxSize int64
	// Pickle is the format policy for pickles (zero: refuse every one); a
	// producer's policy does not carry over.
	Pickle     scan.PicklePolicy
	HTTPClient *http.Client
}

// Import registers a dataset someone else produced: it checks the BOM and
// its signature, copies every file the BOM lists into the store (from
// o.From, or the BOM's distribution URL) checking each against its SHA-256,
// scans them, and binds NAME@VERSION to the tree last.
func Import(ctx context.Context, st *store.Store, cat catalog.Catalog, o ImportOptions) (*Added, error) {
	canon, err := core.CanonicalJSON(json.RawMessage(o.BOM))
	if err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", ErrBadBOM, err)
	}
	bom, err := ParseBOM(canon)
	if err != nil {
		return nil, err
	}
	signer := ""
	if o.Bundle != nil {
		if len(o.Keys) == 0 {
			return nil, fmt.Errorf("dataset %s: a signed bill of materials needs the producer's public key to check it (--key producer.pub)", bom.Ref)
		}
		v, err := attest.Verify(o.Bundle, o.Keys, bom.Tree)
		if err != nil {
			return nil, fmt.Errorf("dataset %s: signature: %w", bom.Ref, err)
		}
		if err := sameBOM(v.Statement, canon); err != nil {
			return nil, fmt.Errorf("dataset %s: signature: %w", bom.Ref, err)
		}
		signer = v.Key.Fingerprint()
	}
	tree := core.NewTree(bom.Entries)
	scans := map[string]FileScan{}
	for _, e := range tree.Entries {
		if e.Kind != core.KindFile {
			continue
		}
		f, err := importFile(ctx, st, bom, e, o)
		if err != nil {
			return nil, err
		}
		scans[e.Path] = f
	}
	d, err := st.PutJSON(tree)
	if err != nil || d != bom.Tree {
		return nil, fmt.Errorf("dataset %s: store tree: got %s, want %s: %v", bom.Ref, d, bom.Tree, err)
	}
	out := &Added{Ref: bom.Ref, Name: bom.Ref.String(), Tree: d, Files: len(tree.Entries), Size: tree.Size(), Flagged: flagged(scans)}
	if bound, meta, err := cat.Name(ctx, Kind, bom.Ref.String()); err == nil {
		if bound != d {
			return nil, conflict(bom.Ref, bound, d, "the imported bill of materials")
		}
		out.Existing, out.BOM = true, meta
		if o.Bundle != nil {
			out.Bundle, err = storeBundle(ctx, st, cat, o.Bundle, bom.Ref, d, tree, signer)
		}
		return out, err
	} else if !errors.Is(err, catalog.ErrNotFound) {
		return nil, fmt.Errorf("look up dataset %s: %w", bom.Ref, err)
	}
	out.BOM, out.Bundle, err = register(ctx, st, cat, bom.Ref, d, tree, canon, o.Bundle, signer)
	return out, err
}

// importFile stores one file the BOM lists, checks its digest and scans it.
func importFile(ctx context.Context, st *store.Store, bom *BOM, e core.TreeEntry, o ImportOptions) (FileScan, error) {
	var got core.Digest
	var err error
	switch {
	case o.From != "":
		p := filepath.Join(o.From, filepath.FromSlash(e.Path))
		fi, lerr := os.Lstat(p)
		if lerr != nil {
			return FileScan{}, fmt.Errorf("dataset %s: file %s: %w (is --from the folder holding the files?)", bom.Ref, e.Path, lerr)
		}
		if !fi.Mode().IsRegular() {
			return FileScan{}, fmt.Errorf("dataset %s: file %s: %w: not a regular file", bom.Ref, e.Path, ErrUnsafeSource)
		}
		got, _, err = st.PutFile(ctx, p)
	case len(bom.Entries) == 1 && len(bom.Sources) > 0 && IsURL(bom.Sources[0]):
		if u, perr := url.Parse(bom.Sources[0]); perr == nil && u.Scheme == "file" {
			got, _, err = st.PutFile(ctx, u.Path)
			break
		}
		var f *Fetched
		f, err = fetchURL(ctx, st, bom.Sources[0], fetchOptions{maxSize: maxOr(o.MaxSize), client: o.HTTPClient})
		if f != nil {
			got = f.Digest
		}
	default:
		return FileScan{}, fmt.Errorf("dataset %s: the bill of materials lists %d files and no single download URL; give the folder holding them with --from DIR", bom.Ref, len(bom.Entries))
	}
	if err != nil {
		return FileScan{}, fmt.Errorf("dataset %s: file %s: %w", bom.Ref, e.Path, err)
	}
	if got != e.Digest {
		return FileScan{}, fmt.Errorf("dataset %s: file %s: %w: the bill of materials says %s, the file has %s", bom.Ref, e.Path, ErrDigestMismatch, e.Digest, got)
	}
	rep, err := scanObject(ctx, st, e.Digest, e.Size, e.Path, o.Pickle)
	if err != nil {
		return FileScan{}, err
	}
	facts, err := judge([]*scan.Report{rep})
	if err != nil {
		return FileScan{}, fmt.Errorf("dataset %s: %w", bom.Ref, err)
	}
	return facts[e.Path], nil
}

func maxOr(n int64) int64 {
	if n > 0 {
		return n
	}
	return DefaultMaxSize
}
