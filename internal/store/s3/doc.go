// Package s3 is the blob backend of the store on any S3-compatible object
// service, named by a URL:
//
//	s3://BUCKET/PREFIX?endpoint=https://s3.internal:9000&region=eu-1
//
// Objects live under PREFIX/sha256/ab/cdef… (the local store's layout).
// Credentials come only from the standard AWS chain (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials, …), never from
// the URL; AWS_CA_BUNDLE is honoured, since the SDK builds its own HTTP
// transport.
//
// # Writes
//
// Put is idempotent: an object that exists (HEAD) is not uploaded again,
// and the upload itself is conditional (If-None-Match: *), so concurrent
// writers of one digest leave one object. Bytes are hashed as they are
// read, and nothing appears under a digest unless the bytes hash to it:
//
//   - An object smaller than one part is read into memory, hashed, and sent
//     in one PutObject with its x-amz-checksum-sha256; S3 applies a PUT
//     atomically and refuses a body that does not match the checksum.
//   - A larger object goes up as a multipart upload, each part sent with
//     its own SHA-256 checksum while the next part is read and hashed. The
//     upload is completed only after the whole object hashed to its
//     digest; otherwise (or on an error or a cancelled context) it is
//     aborted. An S3 multipart upload is invisible until it is completed,
//     so no partial or wrong object is ever visible under a digest, and no
//     temp key needs a server-side copy afterwards (a copy of a large
//     object costs as much server I/O as the upload).
//
// Payloads are not hashed a second time for the SigV4 signature
// (UNSIGNED-PAYLOAD): the signed x-amz-checksum-sha256 header already
// binds the body, and the server checks it. Transient errors (5xx,
// throttling, connection resets) are retried by the SDK's standard
// retryer with exponential backoff; part bodies are in memory, so a failed
// part is resent.
//
// # Reads
//
// Open streams the object through a reader that rehashes it and fails at
// EOF with an error naming the digest and wrapping ErrCorrupt when the
// bytes in the bucket do not match it. The first GET asks for one part's
// range; an object larger than that is read on in parts of its own ranged
// GETs, two fetched ahead in parallel while the one before is consumed
// (or, when the process's download buffers are all in use, in one GET of
// the rest: a reader never waits for a buffer).
//
// FetchTo, which the store uses to write a copy of an object into a file
// (get, data get), does better for a large object: it asks for 8 MiB
// ranges, four GETs at once, writes each at its offset in the file, and
// hashes the file in order as the ranges complete, so that the check is
// of the bytes the file holds.
//
// Errors from the service are turned into one line that says what to fix:
// a missing bucket, refused credentials, an unreachable endpoint.
package s3
