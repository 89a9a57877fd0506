// Package attest signs and verifies what lockstep claims about its
// artifacts.
//
// A claim is an in-toto Statement v1 (subjects by sha256 digest, a typed
// predicate). Sign wraps it in a DSSE envelope signed by a long-lived key and
// packages that as a Sigstore bundle v0.3 with no transparency-log entries,
// so the result verifies offline, here with Verify and elsewhere with
// `cosign verify-blob-attestation --key`. Verify checks a bundle with
// sigstore-go's verifier against a set of trusted keys and reports which key
// signed it; its failures are told apart with errors.Is (ErrNoSignature,
// ErrBadSignature, ErrWrongKey, ErrSubjectMismatch, ErrMalformed).
//
// Two predicates are built here: SLSA provenance v1 for runs
// (Provenance.Statement) and OpenSSF model signing v1.0 for model
// directories (SignModel and VerifyModel, interoperable with the reference
// implementation's model.sig files).
//
// Keys are cosign's: GenerateKey makes ECDSA P-256 (default) or Ed25519
// keys, Signer.Save writes the private half as an "ENCRYPTED SIGSTORE
// PRIVATE KEY" PEM (scrypt and NaCl secretbox) readable 0600 by its owner
// only, and LoadSigner reads those files and keys made by
// `cosign generate-key-pair`.
package attest
