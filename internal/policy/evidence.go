package policy

import (
	"encoding/json"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// Evidence is what Evaluate found about an artifact: the document the
// built-in checks judge and Rego rules receive as `input` (its JSON form is
// documented in docs/policy.md). Signers are key fingerprints; roles are the
// policy roles whose keys made the signatures ("" when no role's key did).
type Evidence struct {
	Subject       core.Digest             `json:"subject"`
	Now           time.Time               `json:"now"`
	Provenance    *SignedEvidence         `json:"provenance"`
	Run           *core.RunRecord         `json:"run"`
	RunRecord     core.Digest             `json:"runRecord,omitempty"`
	Tasks         map[string]TaskEvidence `json:"tasks"`
	Datasets      []DatasetEvidence       `json:"datasets"`
	Reviews       []SignedEvidence        `json:"reviews"`
	Reproductions []SignedEvidence        `json:"reproductions"`
	Model         *SignedEvidence         `json:"model"`
	// Checks are the built-in checks' results, for Rego rules to build on.
	Checks []Check `json:"checks"`
}

// SignedEvidence is one attestation: its bundle, whether its signature
// verified against the policy's keys, who signed it, and the statement's
// predicate.
type SignedEvidence struct {
	Bundle        core.Digest     `json:"bundle"`
	PredicateType string          `json:"predicateType"`
	Verified      bool            `json:"verified"`
	Signer        string          `json:"signer,omitempty"`
	SignerKey     string          `json:"signerKey,omitempty"`
	Role          string          `json:"role,omitempty"`
	Error         string          `json:"error,omitempty"`
	Predicate     json.RawMessage `json:"predicate,omitempty"`
}

// TaskEvidence is a task record with its digest.
type TaskEvidence struct {
	Record core.Digest      `json:"record"`
	Task   *core.TaskRecord `json:"task"`
}

// DatasetEvidence is a dataset a run read, as its BOM describes it.
type DatasetEvidence struct {
	Ref            string          `json:"ref"`
	Step           string          `json:"step"`
	Tree           core.Digest     `json:"tree"`
	BOM            core.Digest     `json:"bom,omitempty"`
	License        string          `json:"license,omitempty"`
	Producer       string          `json:"producer,omitempty"`
	Classification string          `json:"classification,omitempty"`
	Signature      *SignedEvidence `json:"signature,omitempty"`
}

// document is the evidence as plain JSON values, the Rego input.
func (e *Evidence) document() (map[string]any, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	return doc, json.Unmarshal(b, &doc)
}
