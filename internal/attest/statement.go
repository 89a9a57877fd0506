package attest

import (
	"bytes"
	"encoding/json"
	"fmt"

	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"lockstep.dev/lockstep/internal/core"
)

// StatementType is the "_type" of an in-toto Statement v1.
const StatementType = intoto.StatementTypeUri

// PayloadType is the DSSE payload type of an in-toto statement.
const PayloadType = "application/vnd.in-toto+json"

// Subject is one artifact a statement is about.
type Subject struct {
	// Name says what the artifact is, e.g. "train/model" (STEP/OUTPUT).
	Name string
	// Digest is the artifact's sha256.
	Digest core.Digest
}

type subjectJSON struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// MarshalJSON writes the subject as an in-toto resource descriptor:
// {"name": ..., "digest": {"sha256": "<hex>"}}.
func (s Subject) MarshalJSON() ([]byte, error) {
	return json.Marshal(subjectJSON{Name: s.Name, Digest: map[string]string{"sha256": s.Digest.Hex()}})
}

// UnmarshalJSON reads an in-toto resource descriptor; only its sha256
// digest is kept (Digest is "" when it has none).
func (s *Subject) UnmarshalJSON(b []byte) error {
	var j subjectJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	s.Name, s.Digest = j.Name, ""
	if h, ok := j.Digest["sha256"]; ok {
		d, err := core.ParseDigest(h)
		if err != nil {
			return fmt.Errorf("subject %s: %w", core.Excerpt(j.Name), err)
		}
		s.Digest = d
	}
	return nil
}

// Statement is an in-toto Statement v1: what is claimed (the predicate, of
// type PredicateType) about which artifacts (the subjects).
type Statement struct {
	// Type is StatementType.
	Type string `json:"_type"`
	// Subject lists the artifacts the statement is about.
	Subject []Subject `json:"subject"`
	// PredicateType says what kind of claim Predicate is, e.g.
	// ProvenancePredicateType.
	PredicateType string `json:"predicateType"`
	// Predicate is the value given to NewStatement, or the raw JSON
	// (json.RawMessage) of a verified statement; read it with
	// DecodePredicate either way.
	Predicate any `json:"predicate"`
}

// NewStatement returns a Statement v1 about subjects claiming predicate,
// which must encode to a JSON object.
func NewStatement(subjects []Subject, predicateType string, predicate any) *Statement {
	return &Statement{Type: StatementType, Subject: subjects, PredicateType: predicateType, Predicate: predicate}
}

// DecodePredicate decodes the predicate into v (a pointer), as
// json.Unmarshal would.
func (s *Statement) DecodePredicate(v any) error {
	raw, ok := s.Predicate.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(s.Predicate); err != nil {
			return fmt.Errorf("encode %s predicate: %w", s.PredicateType, err)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s predicate: %w", s.PredicateType, err)
	}
	return nil
}

// HasSubject reports whether d is the digest of one of the subjects.
func (s *Statement) HasSubject(d core.Digest) bool {
	for _, sub := range s.Subject {
		if sub.Digest == d {
			return true
		}
	}
	return false
}

// Payload returns the statement as canonical JSON, the bytes that get
// signed. It checks the statement against in-toto's schema first (a type,
// at least one subject with a valid sha256, a predicate type and an
// object predicate).
func (s *Statement) Payload() ([]byte, error) {
	for i, sub := range s.Subject {
		if !sub.Digest.Valid() {
			return nil, fmt.Errorf("statement subject %d (%s): digest %s is not sha256:<hex>", i, core.Excerpt(sub.Name), core.Excerpt(string(sub.Digest)))
		}
	}
	b, err := core.CanonicalJSON(s)
	if err != nil {
		return nil, fmt.Errorf("encode statement: %w", err)
	}
	if err := validateStatement(b); err != nil {
		return nil, err
	}
	return b, nil
}

// validateStatement checks JSON against in-toto's Statement schema.
func validateStatement(b []byte) error {
	var pb intoto.Statement
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &pb); err != nil {
		return fmt.Errorf("in-toto statement: %w", err)
	}
	if err := pb.Validate(); err != nil {
		return fmt.Errorf("in-toto statement: %w", err)
	}
	return nil
}

// parseStatement reads a statement from an envelope's payload; errors wrap
// ErrMalformed.
func parseStatement(payload []byte) (*Statement, error) {
	if err := validateStatement(payload); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var j struct {
		Statement
		Predicate json.RawMessage `json:"predicate"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("%w: statement: %w", ErrMalformed, err)
	}
	st := j.Statement
	st.Predicate = j.Predicate
	for i, sub := range st.Subject {
		if sub.Digest == "" {
			return nil, fmt.Errorf("%w: statement subject %d (%s) has no sha256 digest", ErrMalformed, i, core.Excerpt(sub.Name))
		}
	}
	return &st, nil
}

// ReproductionPredicateType is the predicate type of the reproduction
// attestations `lockstep reproduce --sign-with` writes (original run,
// rerun, per-output verdicts); policies read them to require that an
// independent rebuilder reproduced an artifact.
const ReproductionPredicateType = "https://lockstep.dev/reproduction/v1"

// ReviewPredicateType is the predicate type of the code review
// attestations `lockstep review approve` writes (reviewer, time, comment
// about a code tree); restricted datasets and policies require them.
const ReviewPredicateType = "https://lockstep.dev/review/v1"
