// Package local is the store's first blob backend: objects as read-only
// files in a local folder, the layout every lockstep home has used.
//
//	ROOT/objects/sha256/ab/cdef…   one file per object, named by the sha256 of its bytes
//	ROOT/tmp/                      temp files being written
//	ROOT/cache/                    the store's caches (the hash cache)
//
// An object file is written once and never modified: it appears under its
// name only after its bytes are durable (temp file, fsync, rename, fsync of
// the directory) and is read-only (0444). Many processes may write one
// folder at once without a lock: rename is atomic, and two writers of one
// object write the same bytes.
//
// Besides store.Blob, *Local offers the store's local fast paths
// (store.LocalFiles): the path of an object file, so that the materialiser
// can hardlink or reflink it, and a temp folder and InstallObject, so that a
// file can be hashed in place and renamed into the store. Only package
// store uses them; no other package sees a path inside the folder.
//
// Local imports the store's shared pieces from store/blobio, not the store
// itself: the store lists Local in its registry (scheme file://).
package local
