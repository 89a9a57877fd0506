package attest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"lockstep.dev/lockstep/internal/core"
)

// BundleMediaType is the media type of the bundles Sign writes.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// Sign signs stmt with signer and returns a Sigstore bundle v0.3 (JSON)
// holding the DSSE envelope. The bundle names the key only by its hint and
// carries no transparency-log entry: it verifies offline against the
// signer's public key (Verify, or cosign with --key).
func Sign(ctx context.Context, stmt *Statement, signer core.Signer) ([]byte, error) {
	pub, err := PublicKeyOf(signer)
	if err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	payload, err := stmt.Payload()
	if err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	env, err := signEnvelope(ctx, payload, signer)
	if err != nil {
		return nil, fmt.Errorf("sign %s statement with %s: %w", stmt.PredicateType, pub.Fingerprint(), err)
	}
	b, err := marshalBundle(env, pub.Hint())
	if err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	return b, nil
}

// signEnvelope signs payload as DSSE: the signature covers
// PAE(PayloadType, payload) and its keyid is empty, which is what cosign's
// key-based verifier expects.
func signEnvelope(ctx context.Context, payload []byte, signer core.Signer) (*dsse.Envelope, error) {
	es, err := dsse.NewEnvelopeSigner(envelopeSigner{signer})
	if err != nil {
		return nil, err
	}
	return es.SignPayload(ctx, PayloadType, payload)
}

// envelopeSigner signs DSSE's pre-authentication encoding with a
// core.Signer, under an empty keyid.
type envelopeSigner struct{ s core.Signer }

func (e envelopeSigner) Sign(ctx context.Context, data []byte) ([]byte, error) {
	return e.s.SignMessage(ctx, data)
}

func (envelopeSigner) KeyID() (string, error) { return "", nil }

// PublicKeyOf returns the public half of signer, the key verifiers trust
// and fingerprints name. A nil signer is an error.
func PublicKeyOf(signer core.Signer) (*PublicKey, error) {
	switch s := signer.(type) {
	case nil:
		return nil, errors.New("no signing key (load one with LoadSigner)")
	case *Signer:
		if s == nil || s.sv == nil || s.PublicKey == nil {
			return nil, errors.New("no signing key (load one with LoadSigner)")
		}
		return s.PublicKey, nil
	}
	return newPublicKey("", signer.Public())
}

// marshalBundle packages a signed envelope as a Sigstore bundle v0.3.
func marshalBundle(env *dsse.Envelope, hint string) ([]byte, error) {
	payload, err := env.DecodeB64Payload()
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	sigs := make([]*protodsse.Signature, len(env.Signatures))
	for i, s := range env.Signatures {
		raw, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			return nil, fmt.Errorf("bundle: signature %d: %w", i, err)
		}
		sigs[i] = &protodsse.Signature{Sig: raw, Keyid: s.KeyID}
	}
	b := &protobundle.Bundle{
		MediaType: BundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{
				PublicKey: &protocommon.PublicKeyIdentifier{Hint: hint},
			},
			TlogEntries: []*protorekor.TransparencyLogEntry{},
		},
		Content: &protobundle.Bundle_DsseEnvelope{
			DsseEnvelope: &protodsse.Envelope{Payload: payload, PayloadType: env.PayloadType, Signatures: sigs},
		},
	}
	out, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return append(out, '\n'), nil
}
