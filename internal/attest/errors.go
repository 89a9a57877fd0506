package attest

import "errors"

// Errors returned (wrapped) by Verify, VerifyModel and key loading; match
// them with errors.Is.
var (
	// ErrMalformed means the bytes are not a well-formed Sigstore bundle
	// holding a DSSE envelope with an in-toto statement.
	ErrMalformed = errors.New("malformed attestation")
	// ErrNoSignature means the attestation carries no signature at all.
	ErrNoSignature = errors.New("attestation is not signed")
	// ErrBadSignature means the signature does not match the payload: the
	// payload or the signature was altered after signing.
	ErrBadSignature = errors.New("signature does not match the signed payload")
	// ErrWrongKey means none of the trusted keys made the signature.
	ErrWrongKey = errors.New("not signed by any trusted key")
	// ErrSubjectMismatch means the artifact's digest is not among the
	// statement's subjects: the attestation is about something else.
	ErrSubjectMismatch = errors.New("artifact digest is not a subject of the statement")
	// ErrModelMismatch means a model directory differs from what its
	// signature lists.
	ErrModelMismatch = errors.New("model files differ from the signed manifest")
	// ErrWrongPassphrase means a private key could not be decrypted.
	ErrWrongPassphrase = errors.New("wrong passphrase or damaged key file")
)

// MaxBundleSize bounds a bundle or signature file: Verify refuses longer
// input before parsing it, and callers read files through
// core.ReadFileLimited with this limit. A bundle over a dataset's bill of
// materials embeds it, so the bound leaves room for large BOMs.
const MaxBundleSize = 64 << 20

// maxKeyFile bounds a key file (a PEM key is well under a kilobyte).
const maxKeyFile = 64 << 10

// Explain turns an error of Verify or VerifyModel into the sentence a user
// needs (what failed, in their words); other errors are returned as they
// are. verify and policy both speak of failed attestations this way.
func Explain(err error) string {
	switch {
	case errors.Is(err, ErrNoSignature):
		return "the attestation is unsigned"
	case errors.Is(err, ErrWrongKey):
		return "signed by a key that is not trusted"
	case errors.Is(err, ErrBadSignature):
		return "the signature does not match: the attestation was tampered with"
	case errors.Is(err, ErrSubjectMismatch):
		return "the attestation is about other artifacts, not this one"
	case errors.Is(err, ErrModelMismatch):
		return "the model's files differ from what was signed"
	case errors.Is(err, ErrMalformed):
		return "not a valid Sigstore bundle"
	}
	return err.Error()
}
