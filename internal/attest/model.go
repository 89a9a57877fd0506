package attest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"lockstep.dev/lockstep/internal/core"
)

// OpenSSF model signing v1.0 constants.
const (
	// ModelPredicateType is the predicate type of an OpenSSF model
	// signature v1.0.
	ModelPredicateType = "https://model_signing/signature/v1.0"
	// ModelSignatureFile is where a model directory's signature is kept;
	// it is never part of what is signed.
	ModelSignatureFile = "model.sig"
)

// defaultModelIgnore is what the reference implementation always leaves
// out of a model besides its signature: version-control metadata.
var defaultModelIgnore = []string{".git", ".gitattributes", ".github", ".gitignore"}

// ModelOptions tunes SignModel.
type ModelOptions struct {
	// IgnorePaths are paths inside the model directory to leave out (a
	// directory leaves out everything under it). model.sig and git
	// metadata are always left out.
	IgnorePaths []string
	// ShardSize selects the serialization: 0 hashes each file whole (the
	// "files" method); a positive size splits every file into shards of
	// that many bytes, hashed in parallel (the "shards" method).
	ShardSize int64
}

// ModelResult describes a verified model directory.
type ModelResult struct {
	// Files is how many files the directory holds (ignored paths aside).
	Files int
	// Added, Removed and Changed name the files that differ from the
	// signed manifest; all are empty when the model verifies.
	Added, Removed, Changed []string
	// Digest is the model's digest: the statement's subject.
	Digest core.Digest
	// Key is the trusted key that signed the model.
	Key *PublicKey
}

// modelPredicate is the OpenSSF model signing v1.0 predicate.
type modelPredicate struct {
	Serialization modelSerialization `json:"serialization"`
	Resources     []modelResource    `json:"resources"`
}

type modelSerialization struct {
	Method        string   `json:"method"`
	HashType      string   `json:"hash_type"`
	AllowSymlinks bool     `json:"allow_symlinks"`
	ShardSize     float64  `json:"shard_size,omitempty"`
	IgnorePaths   []string `json:"ignore_paths"`
}

type modelResource struct {
	Name      string `json:"name"`
	Algorithm string `json:"algorithm"`
	Digest    string `json:"digest"`
}

// SignModel hashes the model directory dir (files in parallel, each one
// streamed) and returns a Sigstore bundle holding an OpenSSF model
// signature v1.0 over it, to be written as dir/model.sig. The statement's
// one subject is named after the directory; its digest is the SHA-256 of
// the resource digests in order.
func SignModel(ctx context.Context, dir string, signer core.Signer, opts ModelOptions) ([]byte, error) {
	if opts.ShardSize < 0 {
		return nil, fmt.Errorf("sign model %s: shard size %d is negative (use 0 to hash whole files)", dir, opts.ShardSize)
	}
	ignore, err := cleanIgnorePaths(append(append(append([]string{}, opts.IgnorePaths...), ModelSignatureFile), defaultModelIgnore...))
	if err != nil {
		return nil, fmt.Errorf("sign model %s: %w", dir, err)
	}
	m, err := hashModel(ctx, dir, ignore, false, opts.ShardSize)
	if err != nil {
		return nil, fmt.Errorf("sign model: %w", err)
	}
	ser := modelSerialization{Method: "files", HashType: "sha256", IgnorePaths: ignore}
	if opts.ShardSize > 0 {
		ser.Method, ser.ShardSize = "shards", float64(opts.ShardSize)
	}
	pred := modelPredicate{Serialization: ser, Resources: m.resources()}
	root, err := modelRootDigest(pred.Resources)
	if err != nil {
		return nil, fmt.Errorf("sign model %s: %w", dir, err)
	}
	name, err := modelName(dir)
	if err != nil {
		return nil, fmt.Errorf("sign model: %w", err)
	}
	return Sign(ctx, NewStatement([]Subject{{Name: name, Digest: root}}, ModelPredicateType, pred), signer)
}

// modelName is the directory's own name, the subject name of its signature.
func modelName(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.Base(abs), nil
}

// modelRootDigest hashes the raw resource digests in order.
func modelRootDigest(res []modelResource) (core.Digest, error) {
	h := sha256.New()
	for _, r := range res {
		raw, err := hex.DecodeString(r.Digest)
		if err != nil || len(raw) != sha256.Size {
			return "", fmt.Errorf("resource %s: digest %s is not 64 hex digits", core.Excerpt(r.Name), core.Excerpt(r.Digest))
		}
		h.Write(raw)
	}
	return core.DigestFromSum(h.Sum(nil)), nil
}
