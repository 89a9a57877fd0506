// Package store is lockstep's content addressing: objects named by the
// sha256 of their bytes, trees of them, a hash cache and a materialiser,
// over a narrow Blob interface (Put, Open, Stat, List, Delete) that a
// backend implements.
//
// # Backends and the registry
//
// A backend is one folder under internal/store that passes the contract
// suite in store/storetest. store/local, the first, keeps objects as
// read-only files in a local folder with the layout every lockstep home
// has used (ROOT/objects/sha256/ab/cdef…, ROOT/tmp, ROOT/cache). OpenURL
// picks the backend by URL scheme from one registry, listed in
// registry.go: file:// and bare paths open store/local; Register adds
// another; an unknown scheme is an error listing the known ones.
//
// The registry lives here, and the store imports its backends, not the
// other way round: a backend imports only core and store/blobio (the
// errors every backend wraps, ErrNotFound and ErrCorrupt, and the
// verifying reader), and satisfies Blob without naming it. So there is no
// import cycle, no init() side effect, and the store's own tests open a
// local store directly. store.ErrNotFound and store.ErrCorrupt are the
// blobio values, so errors.Is works on any backend's errors.
//
// # Local fast paths
//
// A backend that keeps objects as local files may implement LocalFiles.
// The store then hardlinks objects into read-only task inputs, clones
// (reflinks) or copies them where a task may write, renames a task's
// outputs into the store instead of copying them, and remembers file
// hashes by inode (below). Without it, every byte goes through Put and the
// verifying Open. Only this package sees a path inside the store: callers
// pass in their own work and temp folders, read objects through Open,
// OpenReaderAt or the materialiser, and the layers test fails when any
// other package names the store's path API or folder layout.
//
// # Invariants
//
//   - An object is written once and never modified: it appears under its
//     name only after its bytes are durable and (locally) is read-only
//     (0444); only Remove, called by gc under its lock, deletes it.
//   - Every write streams the bytes through sha256 and checks them against
//     the name they are stored under. Locally, bytes go to a temp file,
//     which is made durable, renamed into place and its directory synced;
//     files are copied in the kernel (copy_file_range) and the copy is
//     then hashed, so a digest is always of the bytes stored. A writer
//     that is killed leaves at most a temp file, never a partial object;
//     CleanTemp removes old temp files.
//   - Put makes each object durable with fsync. PutTree batches: it writes
//     every temp first (biggest files first, and each file, copied or
//     moved, handed to the disk as soon as it is hashed, with
//     sync_file_range on a goroutine of its own, so that the disk works
//     while later files are hashed), calls syncfs(2) once on the store's
//     file system before renaming any of them into place, then calls
//     syncfs once more to make the new names durable (cheaper than an
//     fsync of each of up to 256 object directories). Either way no object
//     name can point at bytes that are not on disk.
//   - Many processes may write one store at the same time without a lock:
//     two writers of the same object write the same bytes, so whichever
//     wins is correct.
//   - Reads verify: Open returns a reader that rehashes the bytes and fails
//     with an error naming the object and wrapping ErrCorrupt at EOF when
//     they do not match its name. Copies made by the materialiser are
//     verified the same way; hardlinks share the object's read-only inode
//     and are only for readers behind a read-only mount.
//
// # Trees
//
// PutTree turns a directory into a core.Tree manifest stored as canonical
// JSON; its digest names the directory. Modes are normalised as git does
// (0755 when the owner may execute a file, else 0644; 0755 for empty
// directories; 0777 for symlinks) and mtimes are not recorded, so the same
// content always gives the same digest, and a tree materialised from the
// store hashes back to the digest it came from. Symlinks must be relative
// and stay inside the tree, also when followed through each other;
// sockets, devices and FIFOs are refused. GetTree accepts a manifest only
// in its canonical encoding, so a directory has exactly one digest.
//
// # Hash cache
//
// With local files, PutFile and PutTree remember the digest of every file
// they hash, keyed by (device, inode, size, mtime, ctime), in the
// backend's cache folder. An entry is trusted only while its object still
// exists in the store, and files modified less than two seconds before
// they were hashed are not remembered (a later write within the same
// timestamp tick would otherwise go unnoticed). The cache is loaded once
// per Store and saved atomically by Close, merged with what other
// processes saved meanwhile.
package store
