package policy

import (
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"lockstep.dev/lockstep/internal/attest"
)

// APIVersion and Kind identify a policy file.
const (
	APIVersion = "lockstep.dev/v1"
	Kind       = "Policy"
)

// Policy is a parsed, checked policy file with its keys loaded.
type Policy struct {
	// Path is the file the policy was read from.
	Path string
	// Authorities maps a role to its trusted keys, in file order.
	Authorities map[string][]*attest.PublicKey
	// Roles lists the roles in file order.
	Roles   []string
	Require Require
	// Admission configures the admission webhook.
	Admission Admission
	// Rego are the Rego modules (file name and source), in file order.
	Rego []RegoModule

	regoOnce  sync.Once
	regoQuery *rego.PreparedEvalQuery
	regoErr   error
}

// Require is what an artifact must show; a nil field is not required.
type Require struct {
	Provenance     *ProvenanceRule
	Sandbox        string // "", SandboxHermetic or SandboxConfined
	Datasets       *DatasetRule
	Code           *CodeRule
	Formats        *FormatRule
	Reproduced     *ReproducedRule
	ModelSignature *ModelSignatureRule
	Dependencies   *DependencyRule
}

// Sandbox levels a policy can require.
const (
	// SandboxHermetic: every task ran in the bubblewrap sandbox without network.
	SandboxHermetic = "hermetic"
	// SandboxConfined: every task ran in the bubblewrap sandbox; network allowed.
	SandboxConfined = "confined"
)

// ProvenanceRule requires provenance signed by a role, optionally fresh.
type ProvenanceRule struct {
	SignedBy string
	// MaxAge bounds the time since the run finished; 0 means no limit.
	MaxAge time.Duration
}

// DatasetRule constrains the datasets a run read.
type DatasetRule struct {
	// BOM requires a bill of materials for every dataset.
	BOM bool
	// SignedBy is the role whose keys must sign each BOM ("" for none).
	SignedBy string
	// Licenses, when set, are the allowed SPDX license ids.
	Licenses []string
}

// CodeRule requires reviews of the run's code tree.
type CodeRule struct {
	ReviewedBy   string
	MinReviewers int
}

// FormatRule says which serialisation formats may appear among a run's files.
type FormatRule struct {
	// Pickle is "deny" (no pickle at all), "allow-safe" (only pickles
	// importing safe-listed globals) or "allow" (whatever the scanner let
	// in).
	Pickle string
}

// ReproducedRule requires a bit-identical rebuild attested by a role.
type ReproducedRule struct{ By string }

// ModelSignatureRule requires an OpenSSF model signature by a role.
type ModelSignatureRule struct{ SignedBy string }

// Admission configures the admission webhook.
type Admission struct {
	// RequireModel denies pods that carry no model reference.
	RequireModel bool
	// AllowTags admits a model named by an OCI reference with a tag and no
	// digest (the tag is resolved when the request is judged); by default
	// such a reference is denied, since the tag can be moved afterwards.
	AllowTags bool
}

// RegoModule is one Rego file named by the policy.
type RegoModule struct {
	Path   string
	Source string
}

// Keys returns the trusted keys of role.
func (p *Policy) Keys(role string) []*attest.PublicKey { return p.Authorities[role] }

// RoleOf names the role whose keys include k, or "".
func (p *Policy) RoleOf(k *attest.PublicKey) string {
	for _, r := range p.Roles {
		for _, pk := range p.Authorities[r] {
			if pk.Equal(k) {
				return r
			}
		}
	}
	return ""
}

// AllKeys returns every key of every role, without duplicates.
func (p *Policy) AllKeys() []*attest.PublicKey {
	var all []*attest.PublicKey
	for _, r := range p.Roles {
	next:
		for _, k := range p.Authorities[r] {
			for _, a := range all {
				if a.Equal(k) {
					continue next
				}
			}
			all = append(all, k)
		}
	}
	return all
}
