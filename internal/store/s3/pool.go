package s3

import "context"

// pool hands out buffers of partSize, at most max of them at a time, and
// keeps those returned for the next caller.
type pool struct {
	tokens chan struct{}
	free   chan []byte
}

func newPool(max int) *pool {
	return &pool{make(chan struct{}, max), make(chan []byte, max)}
}

// Buffers of uploads and downloads come from two pools, 80 MiB each at
// most, so that a download never waits for an upload's buffer or the
// other way round (a copy between two buckets does both).
var uploadBuffers, downloadBuffers = newPool(16), newPool(16)

// get returns a buffer, waiting for one when all are in use; with wait
// false it returns nil instead of waiting.
func (p *pool) get(ctx context.Context, wait bool) ([]byte, error) {
	select {
	case b := <-p.free:
		return b, nil
	default:
	}
	if !wait {
		select {
		case p.tokens <- struct{}{}:
			return make([]byte, partSize), nil
		default:
			return nil, nil
		}
	}
	select {
	case b := <-p.free:
		return b, nil
	case p.tokens <- struct{}{}:
		return make([]byte, partSize), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put returns a buffer from get to the pool.
func (p *pool) put(b []byte) { p.free <- b[:cap(b)] }
