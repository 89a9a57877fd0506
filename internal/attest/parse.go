package attest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"

	"lockstep.dev/lockstep/internal/core"
)

// parseAttestation reads untrusted bytes holding a Sigstore bundle or a
// bare DSSE envelope (cosign's older attestation format, wrapped here into
// a key-based bundle). It checks the structure only, not the signature.
// Errors wrap ErrMalformed, or ErrNoSignature when the input carries no
// signature (an unsigned envelope, or a bare in-toto statement).
func parseAttestation(data []byte) (*bundle.Bundle, error) {
	if len(data) > MaxBundleSize {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, &core.TooLargeError{What: "the bundle", Limit: MaxBundleSize})
	}
	var probe struct {
		MediaType   *string         `json:"mediaType"`
		PayloadType *string         `json:"payloadType"`
		Type        *string         `json:"_type"`
		Signatures  json.RawMessage `json:"signatures"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrMalformed, err)
	}
	switch {
	case probe.MediaType != nil:
		if !strings.HasPrefix(*probe.MediaType, bundleMediaTypePrefix) {
			return nil, fmt.Errorf("%w: media type %s is not a Sigstore bundle's (%s…)", ErrMalformed, core.Excerpt(*probe.MediaType), bundleMediaTypePrefix)
		}
		return parseBundle(data)
	case probe.PayloadType != nil:
		return parseEnvelope(data)
	case probe.Type != nil:
		return nil, fmt.Errorf("%w: this is a bare in-toto statement, sign it to get a bundle", ErrNoSignature)
	}
	return nil, fmt.Errorf("%w: neither a Sigstore bundle (no mediaType) nor a DSSE envelope (no payloadType)", ErrMalformed)
}

// bundleMediaTypePrefix starts the media type of every Sigstore bundle
// version.
const bundleMediaTypePrefix = "application/vnd.dev.sigstore.bundle"

// parseBundle reads a Sigstore bundle holding a key-signed DSSE envelope.
func parseBundle(data []byte) (*bundle.Bundle, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("%w: sigstore bundle: %w", ErrMalformed, err)
	}
	if b.VerificationMaterial.GetPublicKey() == nil {
		return nil, fmt.Errorf("%w: bundle is signed with a certificate; only key-signed bundles are accepted", ErrMalformed)
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return nil, fmt.Errorf("%w: bundle holds a message signature, not a DSSE attestation", ErrMalformed)
	}
	if err := checkEnvelope(env); err != nil {
		return nil, err
	}
	return &b, nil
}

// parseEnvelope reads a bare DSSE envelope and wraps it in a bundle with an
// empty key hint.
func parseEnvelope(data []byte) (*bundle.Bundle, error) {
	var env dsse.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%w: DSSE envelope: %w", ErrMalformed, err)
	}
	payload, err := env.DecodeB64Payload()
	if err != nil {
		return nil, fmt.Errorf("%w: DSSE envelope payload: %w", ErrMalformed, err)
	}
	pe := &protodsse.Envelope{Payload: payload, PayloadType: env.PayloadType}
	for i, s := range env.Signatures {
		raw, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			if raw, err = base64.URLEncoding.DecodeString(s.Sig); err != nil {
				return nil, fmt.Errorf("%w: DSSE signature %d is not base64", ErrMalformed, i)
			}
		}
		pe.Signatures = append(pe.Signatures, &protodsse.Signature{Sig: raw, Keyid: s.KeyID})
	}
	if err := checkEnvelope(pe); err != nil {
		return nil, err
	}
	b, err := bundle.NewBundle(&protobundle.Bundle{
		MediaType: BundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: pe},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: DSSE envelope: %w", ErrMalformed, err)
	}
	return b, nil
}

// checkEnvelope requires an in-toto payload and exactly one signature.
func checkEnvelope(env *protodsse.Envelope) error {
	if env.GetPayloadType() != PayloadType {
		return fmt.Errorf("%w: DSSE payload type %s, want %q", ErrMalformed, core.Excerpt(env.GetPayloadType()), PayloadType)
	}
	var n int
	for _, s := range env.GetSignatures() {
		if len(s.GetSig()) > 0 {
			n++
		}
	}
	switch {
	case n == 0:
		return fmt.Errorf("%w: the DSSE envelope has no signature", ErrNoSignature)
	case len(env.GetSignatures()) > 1:
		return fmt.Errorf("%w: the DSSE envelope has %d signatures, a Sigstore bundle allows one", ErrMalformed, len(env.GetSignatures()))
	}
	return nil
}
