package dataset

import "errors"

// Errors returned (wrapped) by this package; match them with errors.Is.
var (
	// ErrBadRef means a dataset reference is not a valid NAME@VERSION.
	ErrBadRef = errors.New("invalid dataset reference")
	// ErrNotFound means no dataset is registered under the name.
	ErrNotFound = errors.New("dataset not registered")
	// ErrConflict means NAME@VERSION is already bound to other content.
	ErrConflict = errors.New("dataset version already bound to other content")
	// ErrDigestMismatch means fetched content does not have the digest the
	// caller expected.
	ErrDigestMismatch = errors.New("content does not match the expected digest")
	// ErrTooLarge means a source is larger than the size limit.
	ErrTooLarge = errors.New("source exceeds the size limit")
	// ErrTruncated means a download ended before its announced length.
	ErrTruncated = errors.New("download truncated")
	// ErrUnsafeSource means a source is refused outright: an unsupported
	// scheme, a downgrade from https to http, a path leaving its tree, a
	// symlink pointing outside.
	ErrUnsafeSource = errors.New("unsafe source")
	// ErrUnsafeContent means the scanner refused an ingested file.
	ErrUnsafeContent = errors.New("unsafe file in dataset")
	// ErrBadBOM means a bill of materials is malformed or is not one of
	// lockstep's dataset BOMs.
	ErrBadBOM = errors.New("malformed dataset bill of materials")
	// ErrBadCard means a datasheet card is malformed.
	ErrBadCard = errors.New("malformed datasheet card")
	// ErrFilesChanged means the stored files no longer match the BOM.
	ErrFilesChanged = errors.New("dataset files do not match the bill of materials")
	// ErrUnsigned means a dataset's BOM carries no signature, or none by a
	// trusted producer.
	ErrUnsigned = errors.New("dataset bill of materials is not signed by a trusted producer")
	// ErrAccessDenied means the caller lacks the data-access credential
	// that restricted data requires.
	ErrAccessDenied = errors.New("restricted dataset: data-access credential missing or wrong")
)
