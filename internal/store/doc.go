// Package store keeps lockstep's content-addressed objects in a local folder.
//
// A store is rooted at a folder, usually PROJECT/.lockstep:
//
//	ROOT/objects/sha256/ab/cdef…   one file per object, named by the sha256 of its bytes
//	ROOT/tmp/                      temp files being written
//	ROOT/cache/hashes              the hash cache (see below)
//
// # Invariants
//
//   - An object file is written once and never modified: it appears under
//     its name only after its bytes are durable, it is read-only (0444),
//     and only Remove (called by gc under its lock) deletes it.
//   - Every write streams the bytes through sha256 into a temp file under
//     ROOT/tmp, makes the temp durable, renames it into place and syncs
//     the object's directory. Files are copied in the kernel
//     (copy_file_range) and the copy is then hashed, so a digest is always
//     of the bytes stored. A writer that is killed leaves at most a temp
//     file, never a partial object; CleanTemp removes old temp files.
//   - Put makes each object durable with fsync. PutTree batches: it writes
//     every temp first (biggest files first, and each file, copied or
//     moved, handed to the disk as soon as it is hashed, with
//     sync_file_range on a goroutine of its own, so that the disk works
//     while later files are hashed), calls syncfs(2) once on the store's file system before
//     renaming any of them into place, then calls syncfs once more to
//     make the new names durable (cheaper than an fsync of each of up to
//     256 object directories). Either way no object name can point at
//     bytes that are not on disk.
//   - Many processes may write one store at the same time without a lock:
//     rename is atomic, and two writers of the same object write the same
//     bytes, so whichever rename wins is correct.
//   - Reads verify: Open returns a reader that rehashes the bytes and fails
//     with an error wrapping ErrCorrupt at EOF when they do not match the
//     object's name. Materialised copies are verified the same way;
//     hardlinks share the object's read-only inode.
//
// # Trees
//
// PutTree turns a directory into a core.Tree manifest stored as canonical
// JSON; its digest names the directory. Modes are normalised as git does
// (0755 when the owner may execute a file, else 0644; 0755 for empty
// directories; 0777 for symlinks) and mtimes are not recorded, so the same
// content always gives the same digest, and a tree materialised from the
// store (read-only hardlinks) hashes back to the digest it came from.
// Symlinks must be relative and stay inside the tree, also when followed
// through each other; sockets, devices and FIFOs are refused. GetTree
// accepts a manifest only in its canonical encoding, so a directory has
// exactly one digest.
//
// # Hash cache
//
// PutFile and PutTree remember the digest of every file they hash, keyed by
// (device, inode, size, mtime, ctime), in ROOT/cache/hashes. An entry is
// trusted only while its object still exists in the store, and files
// modified less than two seconds before they were hashed are not
// remembered (a later write within the same timestamp tick would otherwise
// go unnoticed). The cache is loaded once per Store and saved atomically by
// Close, merged with what other processes saved meanwhile.
package store
