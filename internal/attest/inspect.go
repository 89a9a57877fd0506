package attest

import "fmt"

// InspectUnverified reads the statement inside a bundle without checking
// its signature. It is for indexing bundles already in the store (a
// catalog rebuild), never for trusting them: Verify is the only way to learn
// that a statement is genuine. Errors wrap ErrMalformed or ErrNoSignature.
func InspectUnverified(bundleJSON []byte) (*Statement, error) {
	b, err := parseAttestation(bundleJSON)
	if err != nil {
		return nil, err
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return nil, fmt.Errorf("%w: no DSSE envelope", ErrMalformed)
	}
	return parseStatement(env.GetPayload())
}
