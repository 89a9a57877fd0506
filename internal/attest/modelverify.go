package attest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// VerifyModel checks a model signature (the contents of dir/model.sig)
// against keys, then re-hashes dir with the signed serialization settings
// and compares it file by file. When files were added, removed or changed
// it returns the result naming them and an error wrapping
// ErrModelMismatch; signature failures are those of Verify.
func VerifyModel(ctx context.Context, dir string, bundleJSON []byte, keys []*PublicKey) (*ModelResult, error) {
	v, pred, ignore, err := openModelSignature(bundleJSON, keys)
	if err != nil {
		return nil, fmt.Errorf("verify model %s: %w", dir, err)
	}
	ser := pred.Serialization
	m, err := hashModel(ctx, dir, ignore, ser.AllowSymlinks, int64(ser.ShardSize))
	if err != nil {
		return nil, fmt.Errorf("verify model: %w", err)
	}
	return compareModel(dir, v, pred, m.files, m.resources(), m.shardSize > 0)
}

// ErrShardedModel is returned by VerifyModelDigests for a signature over
// file shards, which whole-file digests cannot check: use VerifyModel.
var ErrShardedModel = errors.New("the model signature covers shards of files")

// VerifyModelDigests is VerifyModel for a model whose files' sha256
// digests are already known and trusted (files: slash-separated path →
// digest, e.g. a pulled model's layers, each checked as it was written):
// nothing is read again. A signature over shards gives ErrShardedModel.
func VerifyModelDigests(name string, files map[string]core.Digest, bundleJSON []byte, keys []*PublicKey) (*ModelResult, error) {
	v, pred, ignore, err := openModelSignature(bundleJSON, keys)
	if err != nil {
		return nil, fmt.Errorf("verify model %s: %w", name, err)
	}
	if pred.Serialization.ShardSize > 0 {
		return nil, fmt.Errorf("verify model %s: %w", name, ErrShardedModel)
	}
	var actual []modelResource
	for p, d := range files {
		if !ignored(p, ignore) {
			actual = append(actual, modelResource{Name: p, Algorithm: "sha256", Digest: d.Hex()})
		}
	}
	sort.Slice(actual, func(i, j int) bool { return actual[i].Name < actual[j].Name })
	return compareModel(name, v, pred, len(actual), actual, false)
}

// openModelSignature verifies a model signature bundle with keys and
// returns its statement, its predicate and the paths it ignores (its own
// file among them).
func openModelSignature(bundleJSON []byte, keys []*PublicKey) (*Verified, *modelPredicate, []string, error) {
	v, err := Verify(bundleJSON, keys, "")
	if err != nil {
		return nil, nil, nil, err
	}
	pred, err := readModelPredicate(v.Statement)
	if err != nil {
		return nil, nil, nil, err
	}
	ignore, err := cleanIgnorePaths(append(append([]string{}, pred.Serialization.IgnorePaths...), ModelSignatureFile))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: signed %w", ErrMalformed, err)
	}
	return v, pred, ignore, nil
}

// compareModel compares the signed resources with actual, those of the
// model named name (files of them).
func compareModel(name string, v *Verified, pred *modelPredicate, files int, actual []modelResource, sharded bool) (*ModelResult, error) {
	res := &ModelResult{Files: files, Digest: v.Statement.Subject[0].Digest, Key: v.Key}
	res.Added, res.Removed, res.Changed = diffModel(pred.Resources, actual, sharded)
	if n := len(res.Added) + len(res.Removed) + len(res.Changed); n > 0 {
		return res, fmt.Errorf("verify model %s: %w: %s", name, ErrModelMismatch, describeDiff(res))
	}
	return res, nil
}

// readModelPredicate decodes and checks a model signature statement: one
// subject whose digest covers the resources, a known serialization.
func readModelPredicate(st *Statement) (*modelPredicate, error) {
	if st.PredicateType != ModelPredicateType {
		return nil, fmt.Errorf("%w: predicate type %s, want a model signature (%s)", ErrMalformed, core.Excerpt(st.PredicateType), ModelPredicateType)
	}
	if len(st.Subject) != 1 {
		return nil, fmt.Errorf("%w: model signature has %d subjects, want 1", ErrMalformed, len(st.Subject))
	}
	var pred modelPredicate
	if err := st.DecodePredicate(&pred); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	ser := pred.Serialization
	switch {
	case ser.HashType != "sha256":
		return nil, fmt.Errorf("%w: model hash type %s is not supported (want sha256)", ErrMalformed, core.Excerpt(ser.HashType))
	case ser.Method == "files" && ser.ShardSize == 0:
	case ser.Method == "shards" && ser.ShardSize >= 1 && ser.ShardSize <= math.MaxInt64/2 && ser.ShardSize == math.Trunc(ser.ShardSize):
	default:
		return nil, fmt.Errorf("%w: model serialization %s with shard size %v is not supported", ErrMalformed, core.Excerpt(ser.Method), ser.ShardSize)
	}
	root, err := modelRootDigest(pred.Resources)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if root != st.Subject[0].Digest {
		return nil, fmt.Errorf("%w: model manifest is inconsistent: subject digest %s, resources hash to %s", ErrMalformed, st.Subject[0].Digest, root)
	}
	return &pred, nil
}

// diffModel compares signed resources with the directory's, grouped by
// file: a file whose shards or digest differ is changed.
func diffModel(signed, actual []modelResource, sharded bool) (added, removed, changed []string) {
	want, got := groupByFile(signed, sharded), groupByFile(actual, sharded)
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			removed = append(removed, p)
		case g != w:
			changed = append(changed, p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			added = append(added, p)
		}
	}
	for _, l := range [][]string{added, removed, changed} {
		sort.Slice(l, func(i, j int) bool { return lessPosixPath(l[i], l[j]) })
	}
	return added, removed, changed
}

// groupByFile maps each file path to the concatenation of its resources
// (shard range and digest), in resource order.
func groupByFile(res []modelResource, sharded bool) map[string]string {
	out := map[string]string{}
	for _, r := range res {
		p := r.Name
		if sharded {
			p = shardPath(r.Name)
		}
		out[p] += r.Name[len(p):] + "=" + r.Algorithm + ":" + r.Digest + ";"
	}
	return out
}

// shardPath strips a shard suffix ":start:end" from a resource name.
func shardPath(name string) string {
	i := strings.LastIndexByte(name, ':')
	if i < 0 {
		return name
	}
	j := strings.LastIndexByte(name[:i], ':')
	if j < 0 {
		return name
	}
	if _, err := strconv.ParseUint(name[j+1:i], 10, 64); err != nil {
		return name
	}
	if _, err := strconv.ParseUint(name[i+1:], 10, 64); err != nil {
		return name
	}
	return name[:j]
}

// describeDiff names the differing files, a few of each kind.
func describeDiff(r *ModelResult) string {
	var parts []string
	for _, d := range []struct {
		what  string
		paths []string
	}{{"added", r.Added}, {"removed", r.Removed}, {"changed", r.Changed}} {
		if len(d.paths) == 0 {
			continue
		}
		const show = 5
		s := strings.Join(d.paths[:min(show, len(d.paths))], ", ")
		if len(d.paths) > show {
			s += fmt.Sprintf(" and %d more", len(d.paths)-show)
		}
		parts = append(parts, d.what+" "+s)
	}
	return strings.Join(parts, "; ")
}
