package attest

import (
	"encoding/json"
	"fmt"
	"time"

	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"lockstep.dev/lockstep/internal/core"
)

// SLSA provenance constants.
const (
	// ProvenancePredicateType is the predicate type of SLSA provenance v1.
	ProvenancePredicateType = "https://slsa.dev/provenance/v1"
	// BuildType is the SLSA build type of a lockstep run, the default of
	// Provenance.BuildType.
	BuildType = "https://lockstep.dev/buildtypes/run/v1"
)

// ResourceDescriptor names an artifact a run used or produced: code, a
// dataset, an input, an environment, a task record, a log.
type ResourceDescriptor struct {
	// Name says what it is, e.g. "code" or "dataset:housing@2017".
	Name string
	// URI says where it came from, e.g. "git+https://host/repo@COMMIT".
	URI string
	// Digest is its sha256 (a tree digest for a directory).
	Digest core.Digest
	// Annotations carry anything else worth recording (git commit, size).
	Annotations map[string]any
}

// Provenance is what the engine knows about a run, in plain values; its
// Statement method turns it into a SLSA provenance v1 statement.
type Provenance struct {
	// BuildType defaults to BuildType.
	BuildType string
	// Subjects are the run's outputs, named "STEP/OUTPUT".
	Subjects []Subject
	// External holds what the user asked for: flow file digest, params,
	// seed, requested steps. It must not be empty.
	External map[string]any
	// Internal holds what lockstep chose: its version, the sandbox mode.
	Internal map[string]any
	// Dependencies are what the run read: the code tree (with its git
	// commit and URI), datasets, inputs, environments.
	Dependencies []ResourceDescriptor
	// BuilderID names the builder (who or what ran lockstep).
	BuilderID string
	// InvocationID names this run.
	InvocationID string
	// Started and Finished bound the run; zero times are left out.
	Started, Finished time.Time
	// Byproducts are task records and logs.
	Byproducts []ResourceDescriptor
}

// SLSA provenance v1 predicate, in the spec's field names.
type slsaPredicate struct {
	BuildDefinition slsaBuildDefinition `json:"buildDefinition"`
	RunDetails      slsaRunDetails      `json:"runDetails"`
}

type slsaBuildDefinition struct {
	BuildType            string             `json:"buildType"`
	ExternalParameters   map[string]any     `json:"externalParameters"`
	InternalParameters   map[string]any     `json:"internalParameters,omitempty"`
	ResolvedDependencies []resourceDescJSON `json:"resolvedDependencies,omitempty"`
}

type slsaRunDetails struct {
	Builder    slsaBuilder        `json:"builder"`
	Metadata   *slsaMetadata      `json:"metadata,omitempty"`
	Byproducts []resourceDescJSON `json:"byproducts,omitempty"`
}

type slsaBuilder struct {
	ID string `json:"id"`
}

type slsaMetadata struct {
	InvocationID string `json:"invocationId,omitempty"`
	StartedOn    string `json:"startedOn,omitempty"`
	FinishedOn   string `json:"finishedOn,omitempty"`
}

type resourceDescJSON struct {
	Name        string            `json:"name,omitempty"`
	URI         string            `json:"uri,omitempty"`
	Digest      map[string]string `json:"digest,omitempty"`
	Annotations map[string]any    `json:"annotations,omitempty"`
}

// Statement returns the SLSA provenance v1 statement about p.Subjects. The
// predicate is checked against in-toto's SLSA provenance schema, so a
// missing builder ID, build type or external parameters is an error here
// rather than at verification.
func (p Provenance) Statement() (*Statement, error) {
	switch {
	case p.BuilderID == "":
		return nil, fmt.Errorf("provenance: no builder ID (runDetails.builder.id names who ran the build)")
	case len(p.External) == 0:
		return nil, fmt.Errorf("provenance: no external parameters (buildDefinition.externalParameters must record what was asked for)")
	case len(p.Subjects) == 0:
		return nil, fmt.Errorf("provenance: no subjects (a run with no outputs has nothing to attest)")
	}
	buildType := p.BuildType
	if buildType == "" {
		buildType = BuildType
	}
	pred := slsaPredicate{
		BuildDefinition: slsaBuildDefinition{
			BuildType:            buildType,
			ExternalParameters:   p.External,
			InternalParameters:   p.Internal,
			ResolvedDependencies: resourceDescs(p.Dependencies),
		},
		RunDetails: slsaRunDetails{
			Builder:    slsaBuilder{ID: p.BuilderID},
			Byproducts: resourceDescs(p.Byproducts),
		},
	}
	md := slsaMetadata{InvocationID: p.InvocationID, StartedOn: rfc3339(p.Started), FinishedOn: rfc3339(p.Finished)}
	if md != (slsaMetadata{}) {
		pred.RunDetails.Metadata = &md
	}
	raw, err := core.CanonicalJSON(pred)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	var pb slsa.Provenance
	if err := protojson.Unmarshal(raw, &pb); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	if err := pb.Validate(); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return NewStatement(p.Subjects, ProvenancePredicateType, json.RawMessage(raw)), nil
}

func resourceDescs(rds []ResourceDescriptor) []resourceDescJSON {
	out := make([]resourceDescJSON, len(rds))
	for i, rd := range rds {
		out[i] = resourceDescJSON{Name: rd.Name, URI: rd.URI, Annotations: rd.Annotations}
		if rd.Digest != "" {
			out[i].Digest = map[string]string{"sha256": rd.Digest.Hex()}
		}
	}
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
