package policy

import (
	"encoding/json"
	"fmt"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
)

// attestations verifies every attestation of predicateType indexed under
// subject against all of the policy's keys, oldest first.
func (e *evaluator) attestations(subject core.Digest, predicateType string) ([]SignedEvidence, error) {
	stored, err := e.stored(subject, predicateType)
	if err != nil {
		return nil, err
	}
	var out []SignedEvidence
	for _, sb := range stored {
		if sb.Err != nil {
			out = append(out, SignedEvidence{Bundle: sb.Row.Bundle, PredicateType: predicateType, Error: "bundle unreadable: " + sb.Err.Error()})
			continue
		}
		out = append(out, e.verifyBundle(sb.Row.Bundle, sb.Bytes, subject, predicateType))
	}
	return out, nil
}

// stored returns the bundles of predicateType about subject.
func (e *evaluator) stored(subject core.Digest, predicateType string) ([]attest.StoredBundle, error) {
	return attest.Stored(e.ctx, e.st, e.cat, subject, predicateType)
}

// verifyBundle checks one bundle about subject and names its signer's role.
func (e *evaluator) verifyBundle(name core.Digest, b []byte, subject core.Digest, predicateType string) SignedEvidence {
	se := SignedEvidence{Bundle: name, PredicateType: predicateType}
	keys := e.pol.AllKeys()
	if len(keys) == 0 {
		se.Error = "the policy trusts no keys (add authorities)"
		return se
	}
	v, err := attest.Verify(b, keys, subject)
	if err != nil {
		se.Error = attest.Explain(err)
		return se
	}
	se.Verified = true
	se.Signer, se.SignerKey = v.Key.Fingerprint(), v.Key.Name
	se.Role = e.pol.RoleOf(v.Key)
	if raw, ok := v.Statement.Predicate.(json.RawMessage); ok {
		se.Predicate = raw
	}
	return se
}

// signedBy reports whether se verified with a key of role.
func (e *evaluator) signedBy(se SignedEvidence, role string) bool {
	if !se.Verified {
		return false
	}
	for _, k := range e.pol.Keys(role) {
		if k.Fingerprint() == se.Signer {
			return true
		}
	}
	return false
}

// describe says who signed se, for messages.
func describe(se SignedEvidence) string {
	if !se.Verified {
		return se.Error
	}
	if se.Role == "" {
		return fmt.Sprintf("signed by %s", se.Signer)
	}
	return fmt.Sprintf("signed by %s (%s, role %s)", se.SignerKey, se.Signer, se.Role)
}

// pick returns the first of list signed by role, else the first verified,
// else the first, and whether one was signed by role.
func (e *evaluator) pick(list []SignedEvidence, role string) (SignedEvidence, bool) {
	for _, se := range list {
		if e.signedBy(se, role) {
			return se, true
		}
	}
	for _, se := range list {
		if se.Verified {
			return se, false
		}
	}
	return list[0], false
}
