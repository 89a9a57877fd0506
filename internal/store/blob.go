package store

import (
	"context"
	"io"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
	"lockstep.dev/lockstep/internal/store/local"
	"lockstep.dev/lockstep/internal/store/s3"
)

// ErrNotFound is wrapped by errors about an object the store does not hold.
// Every blob backend wraps this same value (blobio.ErrNotFound).
var ErrNotFound = blobio.ErrNotFound

// ErrCorrupt is wrapped by errors about an object whose bytes do not match
// its digest.
var ErrCorrupt = blobio.ErrCorrupt

// Blob is where a store keeps its objects: a flat set of byte strings, each
// named by the sha256 digest of its bytes. A backend (store/local today)
// implements it and passes the contract suite in store/storetest. Every
// method is safe for concurrent use, by goroutines and by processes
// sharing the backend, and honours ctx.
type Blob interface {
	// Put stores r's bytes as object d, streaming them. The bytes are
	// hashed while they are written; if they do not hash to d nothing is
	// stored and the error wraps ErrCorrupt. Put is idempotent: an object
	// that exists is not rewritten. The object is durable when Put
	// returns.
	Put(ctx context.Context, d core.Digest, r io.Reader) error
	// Open returns a reader of object d that verifies the bytes as they
	// are read: at EOF, a mismatch or a truncation is an error naming d
	// and wrapping ErrCorrupt instead of io.EOF. A missing object is an
	// error wrapping ErrNotFound.
	Open(ctx context.Context, d core.Digest) (io.ReadCloser, error)
	// Stat returns the size of object d, or an error wrapping ErrNotFound.
	Stat(ctx context.Context, d core.Digest) (int64, error)
	// List calls fn with every object whose digest starts with prefix
	// ("" for all), in digest order; an error from fn stops the listing
	// and is returned.
	List(ctx context.Context, prefix string, fn func(d core.Digest, size int64) error) error
	// Delete removes object d, or returns an error wrapping ErrNotFound.
	// Only gc deletes, under the store's exclusive lock.
	Delete(ctx context.Context, d core.Digest) error
}

// LocalFiles is the optional capability of a Blob that keeps every object
// as a read-only file on the local file system. The store uses it for its
// fast paths: hardlinking or reflinking objects into a task's folder,
// renaming a file into the store instead of copying it, and remembering
// file hashes by inode. Only package store uses it; no package outside
// internal/store may see a path inside the store.
type LocalFiles interface {
	Blob
	// ObjectFile returns the path of object d's file, whether or not it
	// exists, or "" for a malformed digest. It must never be written.
	ObjectFile(d core.Digest) string
	// ObjectSizes returns a fast lookup of an object's size by raw sum;
	// call done when finished with it.
	ObjectSizes() (size func(sum *[32]byte) (int64, bool), done func(), err error)
	// StagingDir is a folder on the objects' file system for temp files.
	StagingDir() string
	// StoreCacheDir is a folder for the store's caches.
	StoreCacheDir() string
	// InstallObject renames the durable read-only file src into place as object
	// d of n bytes (or removes src when the object exists) and returns the
	// directory to sync to make the name durable, "" if none.
	InstallObject(src string, d core.Digest, n int64) (string, error)
}

// StrayFilesError is returned by Walk when a local store's objects folder
// holds files whose names are not object names. Every object was still
// visited.
type StrayFilesError = local.StrayFilesError

// The local folder is a blob backend with local files; a bucket is one
// without.
var (
	_ LocalFiles = (*local.Local)(nil)
	_ Blob       = (*s3.Store)(nil)
)
