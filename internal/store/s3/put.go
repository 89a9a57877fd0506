package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
)

const (
	// partSize is the size of a multipart upload's parts (S3's minimum but
	// for the last), and of the ranges a larger object is read in: objects
	// up to it go up in one PutObject and come down in one GET. 10,000
	// parts, S3's limit, make objects of up to 48 GiB.
	partSize = 5 << 20
	// maxParts is S3's limit on the parts of one upload.
	maxParts = 10000
)

// unsigned sends a body as UNSIGNED-PAYLOAD: its signed SHA-256 checksum
// header binds it already, so it is not hashed once more for SigV4.
var unsigned = s3api.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)

// Put stores r's bytes as object d (see the package documentation): it
// hashes them while it uploads them and makes them visible under d's key
// only if they hash to d; otherwise the error wraps blobio.ErrCorrupt.
// An object that exists is not uploaded again and r is not read.
func (s *Store) Put(ctx context.Context, d core.Digest, r io.Reader) error {
	return s.put(ctx, d, r, true)
}

// PutNew is Put for an object the caller expects to be new (a file it has
// just hashed for the first time): an object that fits in one part is
// sent in one conditional PutObject without asking first whether it
// exists, one request instead of two; If-None-Match: * leaves an
// existing object as it is. A larger object is asked about once its
// first part is read, and not uploaded again if it exists. When the
// object was there already, and so r's bytes were not what got stored,
// the error wraps blobio.ErrExists: a caller keeping a copy of the bytes
// it sent (the read cache) must not take them for the bucket's.
func (s *Store) PutNew(ctx context.Context, d core.Digest, r io.Reader) error {
	return s.put(ctx, d, r, false)
}

// put is Put, asking whether the object exists before reading r when
// askFirst is set, else only once r proved larger than one part.
func (s *Store) put(ctx context.Context, d core.Digest, r io.Reader, askFirst bool) error {
	k, err := s.key(d)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	existed := func() error {
		if askFirst {
			return nil
		}
		return fmt.Errorf("put object %s: %w", d, blobio.ErrExists)
	}
	if askFirst {
		if there, err := s.has(ctx, d); there || err != nil {
			return err
		}
	}
	buf, err := uploadBuffers.get(ctx, true)
	if err != nil {
		return err
	}
	defer func() { uploadBuffers.put(buf) }()
	n, err := readPart(ctx, r, buf)
	if err != nil && err != io.EOF {
		return fmt.Errorf("put object %s: %w", d, err)
	}
	whole := sha256.New()
	whole.Write(buf[:n])
	if err == io.EOF {
		err := s.putSmall(ctx, d, k, buf[:n], whole)
		if errors.Is(err, blobio.ErrExists) {
			return existed()
		}
		return err
	}
	if !askFirst {
		if there, err := s.has(ctx, d); err != nil || there {
			if err == nil {
				err = existed()
			}
			return err
		}
	}
	return s.putMultipart(ctx, d, k, r, &buf, whole)
}

// has reports whether the bucket holds object d.
func (s *Store) has(ctx context.Context, d core.Digest) (bool, error) {
	_, err := s.Stat(ctx, d)
	if errors.Is(err, blobio.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// readPart fills buf from r and returns io.EOF with the count when r ended
// before buf was full.
func readPart(ctx context.Context, r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := r.Read(buf[n:min(len(buf), n+1<<20)])
		n += k
		if err == io.EOF {
			return n, io.EOF
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// mismatch is the error of bytes that do not hash to the digest they were
// put under.
func mismatch(d core.Digest, h hash.Hash) error {
	return fmt.Errorf("put object %s: bytes hash to %s: %w", d, core.DigestFromSum(h.Sum(nil)), blobio.ErrCorrupt)
}

// putSmall uploads the whole object data in one conditional PutObject;
// the error wraps blobio.ErrExists when the object was there already.
func (s *Store) putSmall(ctx context.Context, d core.Digest, k string, data []byte, h hash.Hash) error {
	sum := h.Sum(nil)
	if core.DigestFromSum(sum) != d {
		return mismatch(d, h)
	}
	_, err := s.client.PutObject(ctx, &s3api.PutObjectInput{
		Bucket:         &s.bucket,
		Key:            &k,
		Body:           bytes.NewReader(data),
		ContentLength:  aws.Int64(int64(len(data))),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum)),
		IfNoneMatch:    aws.String("*"),
	}, unsigned)
	if err != nil && exists(err) {
		return fmt.Errorf("put object %s: %w", d, blobio.ErrExists)
	}
	if err != nil {
		return s.explain("put", d, err)
	}
	return nil
}

// exists reports whether err says a conditional write found the object
// there already (another writer of the same bytes won).
func exists(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	return false
}

// upload is one multipart upload in progress.
type upload struct {
	s        *Store
	d        core.Digest
	key, id  string
	mu       sync.Mutex
	parts    []types.CompletedPart
	firstErr error
	wg       sync.WaitGroup
	cancel   context.CancelFunc
}

// putMultipart uploads the object whose first part is in *first (full,
// already hashed into whole) and whose rest r holds, part by part: each
// part is sent while the next is read and hashed, on up to two buffers.
// The upload is completed only if the whole object hashed to d.
func (s *Store) putMultipart(ctx context.Context, d core.Digest, k string, r io.Reader, first *[]byte, whole hash.Hash) error {
	out, err := s.client.CreateMultipartUpload(ctx, &s3api.CreateMultipartUploadInput{
		Bucket: &s.bucket, Key: &k, ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
	})
	if err != nil {
		return s.explain("put", d, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	u := &upload{s: s, d: d, key: k, id: aws.ToString(out.UploadId), cancel: cancel}
	err = u.send(ctx, r, first, whole)
	if err == nil && core.DigestFromSum(whole.Sum(nil)) != d {
		err = mismatch(d, whole)
	}
	if err == nil {
		err = u.complete(ctx)
	}
	if err != nil {
		u.abort()
	}
	return err
}

// send uploads the parts, the first from *first, the rest read from r,
// and waits for them. Free buffers come back on a channel; *first is left
// holding a buffer for the caller to return to the pool.
func (u *upload) send(ctx context.Context, r io.Reader, first *[]byte, whole hash.Hash) error {
	free := make(chan []byte, 2)
	if b, _ := uploadBuffers.get(ctx, false); b != nil {
		defer func() { uploadBuffers.put(<-free) }()
		free <- b
	}
	buf, n, eof := *first, partSize, false
loop:
	for number := int32(1); ; number++ {
		if number > maxParts {
			free <- buf
			u.fail(fmt.Errorf("put object %s: larger than %d parts of %d MiB", u.d, maxParts, partSize>>20))
			break
		}
		u.wg.Add(1)
		go u.part(ctx, number, buf[:n], free)
		if eof {
			break
		}
		select {
		case buf = <-free:
		case <-ctx.Done():
			break loop
		}
		var err error
		n, err = readPart(ctx, r, buf)
		whole.Write(buf[:n])
		switch {
		case err == io.EOF && n > 0:
			eof = true
		case err != nil:
			free <- buf
			if err != io.EOF {
				u.fail(fmt.Errorf("put object %s: %w", u.d, err))
			}
			break loop
		}
	}
	u.wg.Wait()
	*first = <-free
	if u.firstErr == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return u.firstErr
}

// part uploads part number with its SHA-256 checksum, then hands buf back
// on free.
func (u *upload) part(ctx context.Context, number int32, data []byte, free chan<- []byte) {
	defer u.wg.Done()
	defer func() { free <- data[:cap(data)] }()
	sum := sha256.Sum256(data)
	b64 := base64.StdEncoding.EncodeToString(sum[:])
	out, err := u.s.client.UploadPart(ctx, &s3api.UploadPartInput{
		Bucket:         &u.s.bucket,
		Key:            &u.key,
		UploadId:       &u.id,
		PartNumber:     aws.Int32(number),
		Body:           bytes.NewReader(data),
		ContentLength:  aws.Int64(int64(len(data))),
		ChecksumSHA256: &b64,
	}, unsigned)
	if err != nil {
		u.fail(u.s.explain(fmt.Sprintf("put part %d of", number), u.d, err))
		return
	}
	u.mu.Lock()
	u.parts = append(u.parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(number), ChecksumSHA256: &b64})
	u.mu.Unlock()
}

// fail records the upload's first error and stops the rest.
func (u *upload) fail(err error) {
	u.mu.Lock()
	if u.firstErr == nil {
		u.firstErr = err
	}
	u.mu.Unlock()
	u.cancel()
}

// complete makes the uploaded parts the object, unless another writer
// completed it first.
func (u *upload) complete(ctx context.Context) error {
	slices.SortFunc(u.parts, func(a, b types.CompletedPart) int { return int(*a.PartNumber - *b.PartNumber) })
	_, err := u.s.client.CompleteMultipartUpload(ctx, &s3api.CompleteMultipartUploadInput{
		Bucket:          &u.s.bucket,
		Key:             &u.key,
		UploadId:        &u.id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts},
		IfNoneMatch:     aws.String("*"),
	})
	if err != nil && !exists(err) {
		return u.s.explain("complete upload of", u.d, err)
	}
	if err != nil {
		u.abort()
	}
	return nil
}

// abort drops the upload's parts, also when the caller's context is done;
// an abort that fails (the service unreachable) leaves parts that are
// never visible as an object, for the bucket's lifecycle rules to expire.
func (u *upload) abort() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u.s.client.AbortMultipartUpload(ctx, &s3api.AbortMultipartUploadInput{Bucket: &u.s.bucket, Key: &u.key, UploadId: &u.id},
		func(o *s3api.Options) { o.RetryMaxAttempts = 2 })
}
