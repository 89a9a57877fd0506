package verify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/store"
)

// ErrNotVerified is wrapped by Artifact when the evidence does not hold.
var ErrNotVerified = errors.New("not verified")

// Target is what to verify.
type Target struct {
	// Path is a file or directory; empty when only Digest is given.
	Path string
	// Digest is the artifact's digest (computed from Path when empty).
	Digest core.Digest
	// Signature is a model directory's signature (default DIR/model.sig).
	Signature string
	// Bundles are provenance bundles to check besides those the catalog
	// knows (for verifying an export offline).
	Bundles []string
}

// Report is what verify found, for people and for --json.
type Report struct {
	Artifact   string       `json:"artifact"`
	Digest     core.Digest  `json:"digest"`
	Kind       string       `json:"kind"` // file, directory, digest
	Verified   bool         `json:"verified"`
	Provenance *Provenance  `json:"provenance,omitempty"`
	Model      *ModelReport `json:"model,omitempty"`
	Problems   []string     `json:"problems,omitempty"`
}

// Provenance is a verified SLSA provenance statement, summarised.
type Provenance struct {
	Bundle   string   `json:"bundle"`
	Subject  string   `json:"subject"`
	Key      string   `json:"key_fingerprint"`
	KeyFile  string   `json:"key_file"`
	Run      string   `json:"run"`
	Builder  string   `json:"builder"`
	Code     string   `json:"code,omitempty"`
	Commit   string   `json:"git_commit,omitempty"`
	Datasets []string `json:"datasets,omitempty"`
	Inputs   []string `json:"inputs,omitempty"`
	Started  string   `json:"started,omitempty"`
	Finished string   `json:"finished,omitempty"`
}

// ModelReport is the result of checking a model directory's signature.
type ModelReport struct {
	Signature string   `json:"signature"`
	Verified  bool     `json:"verified"`
	Files     int      `json:"files"`
	Key       string   `json:"key_fingerprint"`
	KeyFile   string   `json:"key_file"`
	Added     []string `json:"added,omitempty"`
	Removed   []string `json:"removed,omitempty"`
	Changed   []string `json:"changed,omitempty"`
}

// Artifact verifies t against keys. The report is always returned; the
// error wraps ErrNotVerified (with the first problem) when anything failed,
// or is another error when the artifact could not be read.
func Artifact(ctx context.Context, st *store.Store, cat catalog.Catalog, t Target, keys []*attest.PublicKey) (*Report, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("no trusted keys: pass --key KEY.pub")
	}
	rep := &Report{Artifact: t.Path, Digest: t.Digest, Kind: "digest"}
	isModel := false
	if t.Path != "" {
		fi, err := os.Stat(t.Path)
		if err != nil {
			return nil, err
		}
		if fi.IsDir() {
			rep.Kind = "directory"
			sig := t.Signature
			if sig == "" {
				sig = filepath.Join(t.Path, "model.sig")
			}
			if _, err := os.Stat(sig); err == nil || t.Signature != "" {
				isModel = true
				rep.Model = checkModel(ctx, t.Path, sig, keys, rep)
			}
			if rep.Digest == "" {
				if rep.Digest, err = policy.ArtifactDigest(ctx, st, t.Path); err != nil {
					return nil, err
				}
			}
			if empty, err := isEmptyDir(t.Path, sig); err != nil {
				return nil, err
			} else if empty {
				return rep, fmt.Errorf("%w: %s", ErrNotVerified, rep.fail(t.Path+" holds no files: there is nothing to verify"))
			}
		} else {
			rep.Kind = "file"
			if rep.Digest == "" {
				if rep.Digest, err = policy.ArtifactDigest(ctx, st, t.Path); err != nil {
					return nil, err
				}
			}
		}
	} else {
		rep.Artifact = t.Digest.String()
	}
	if rep.Digest == "" {
		// Never check evidence against no subject at all.
		return rep, fmt.Errorf("%w: %s", ErrNotVerified, rep.fail("no digest to verify: give a file, a directory or sha256:<hex>"))
	}
	prov, provErr := findProvenance(ctx, st, cat, rep.Digest, t.Bundles, keys)
	rep.Provenance = prov
	if provErr != nil && !(isModel && errors.Is(provErr, errNoProvenance)) {
		rep.Problems = append(rep.Problems, provErr.Error())
	}
	rep.Verified = len(rep.Problems) == 0
	if !rep.Verified {
		return rep, fmt.Errorf("%w: %s", ErrNotVerified, rep.Problems[0])
	}
	return rep, nil
}

// fail records problem and returns it.
func (rep *Report) fail(problem string) string {
	rep.Problems = append(rep.Problems, problem)
	rep.Verified = false
	return problem
}

// isEmptyDir tells whether dir holds no files besides the signature sig.
func isEmptyDir(dir, sig string) (bool, error) {
	empty := true
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && p != sig {
			empty = false
			return fs.SkipAll
		}
		return nil
	})
	return empty, err
}

// checkModel verifies a model directory's OpenSSF signature.
func checkModel(ctx context.Context, dir, sig string, keys []*attest.PublicKey, rep *Report) *ModelReport {
	m := &ModelReport{Signature: sig}
	b, err := core.ReadFileLimited(sig, attest.MaxBundleSize)
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("model signature %s: %v", sig, err))
		return m
	}
	res, err := attest.VerifyModel(ctx, dir, b, keys)
	return fillModelReport(m, res, err, keys, rep)
}

// fillModelReport fills m, a model signature's report, from what checking
// it gave, and records a failure among rep's problems.
func fillModelReport(m *ModelReport, res *attest.ModelResult, err error, keys []*attest.PublicKey, rep *Report) *ModelReport {
	if res != nil {
		m.Files, m.Added, m.Removed, m.Changed = res.Files, res.Added, res.Removed, res.Changed
		if res.Key != nil {
			m.Key, m.KeyFile = res.Key.Fingerprint(), res.Key.Name
		}
	}
	if err != nil {
		rep.Problems = append(rep.Problems, "model signature: "+explain(err, keys))
	}
	m.Verified = err == nil
	return m
}

// keyNames lists trusted keys for messages.
func keyNames(keys []*attest.PublicKey) string {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, fmt.Sprintf("%s %s", k.Name, k.Fingerprint()))
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}
