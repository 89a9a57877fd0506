package attest

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"lockstep.dev/lockstep/internal/core"
)

// Verified is what a successful Verify vouches for.
type Verified struct {
	// Statement is the signed statement; its Predicate is json.RawMessage.
	Statement *Statement
	// Key is the trusted key that made the signature (one of those given).
	Key *PublicKey
	// PredicateType repeats Statement.PredicateType.
	PredicateType string
}

// Verify checks a bundle (or a bare DSSE envelope) with sigstore-go's
// verifier: the DSSE signature must verify with one of keys and, unless
// artifact is "", artifact must be the digest of one of the statement's
// subjects. It returns the statement and the key that verified it.
//
// Failures wrap ErrMalformed, ErrNoSignature, ErrBadSignature (the bundle
// names a trusted key by its hint, but the signature does not verify:
// something was altered), ErrWrongKey (no trusted key verifies it) or
// ErrSubjectMismatch.
func Verify(bundleJSON []byte, keys []*PublicKey, artifact core.Digest) (*Verified, error) {
	if artifact != "" && !artifact.Valid() {
		return nil, fmt.Errorf("verify: artifact digest %q is not sha256:<64 hex digits>", artifact)
	}
	b, err := parseAttestation(bundleJSON)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	key, err := findSigningKey(b, keys)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	st, err := parseStatement(b.GetDsseEnvelope().GetPayload())
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if artifact != "" {
		if err := verifyBundle(b, key, artifact); err != nil {
			return nil, fmt.Errorf("verify: %w: %s is not among %s", ErrSubjectMismatch, artifact, describeSubjects(st))
		}
	}
	return &Verified{Statement: st, Key: key, PredicateType: st.PredicateType}, nil
}

// findSigningKey returns the first key whose signature check passes.
func findSigningKey(b *bundle.Bundle, keys []*PublicKey) (*PublicKey, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no trusted keys given", ErrWrongKey)
	}
	for i, k := range keys {
		if k == nil || k.Key == nil {
			return nil, fmt.Errorf("trusted key %d is empty (load keys with LoadPublicKey)", i)
		}
	}
	var errs []error
	for _, k := range keys {
		err := verifyBundle(b, k, "")
		if err == nil {
			return k, nil
		}
		errs = append(errs, err)
	}
	for i, k := range keys {
		if envelopeSignedBy(b, k) {
			return nil, fmt.Errorf("%w: signed by %s, but the content is not an attestation: %w", ErrMalformed, k, errs[i])
		}
	}
	hint := b.VerificationMaterial.GetPublicKey().GetHint()
	for i, k := range keys {
		if hint != "" && (hint == k.Hint() || hint == k.cosignHint()) {
			return nil, fmt.Errorf("%w: the bundle names key %s: %w", ErrBadSignature, k, errs[i])
		}
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.String()
	}
	return nil, fmt.Errorf("%w (tried %s)", ErrWrongKey, strings.Join(names, ", "))
}

// envelopeSignedBy reports whether the DSSE signature alone verifies with
// key, to tell a signed but malformed statement from a bad signature.
func envelopeSignedBy(b *bundle.Bundle, key *PublicKey) bool {
	v, err := key.verifier()
	if err != nil {
		return false
	}
	env := b.GetDsseEnvelope()
	if len(env.GetSignatures()) != 1 {
		return false
	}
	pae := dsse.PAE(env.GetPayloadType(), env.GetPayload())
	return v.VerifySignature(bytes.NewReader(env.GetSignatures()[0].GetSig()), bytes.NewReader(pae)) == nil
}

// verifyBundle runs sigstore-go's verifier on b trusting only key, with no
// timestamps (key-based bundles carry none). With an artifact digest, the
// statement must also name it as a subject.
func verifyBundle(b *bundle.Bundle, key *PublicKey, artifact core.Digest) error {
	v, err := key.verifier()
	if err != nil {
		return err
	}
	trusted := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return root.NewExpiringKey(v, time.Time{}, time.Time{}), nil
	})
	verifier, err := verify.NewVerifier(trusted, verify.WithNoObserverTimestamps())
	if err != nil {
		return fmt.Errorf("sigstore verifier: %w", err)
	}
	artifactPolicy := verify.WithoutArtifactUnsafe()
	if artifact != "" {
		artifactPolicy = verify.WithArtifactDigest("sha256", artifact.Sum())
	}
	if _, err := verifier.Verify(b, verify.NewPolicy(artifactPolicy, verify.WithKey())); err != nil {
		return err
	}
	return nil
}

// describeSubjects lists a statement's subjects for an error message.
func describeSubjects(st *Statement) string {
	const show = 3
	parts := make([]string, 0, show+1)
	for i, sub := range st.Subject {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(st.Subject)-show))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s", sub.Name, sub.Digest.Short()))
	}
	return "the subjects " + strings.Join(parts, ", ")
}
