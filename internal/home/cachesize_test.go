package home

import (
	"context"
	"crypto/rand"
	"io/fs"
	"path/filepath"
	"testing"

	"lockstep.dev/lockstep/internal/store/s3/s3test"
)

// A home whose store is a bucket keeps no more than cache_size of its
// objects in its read cache: the least recently used go first.
func TestCacheSizeBoundsTheReadCache(t *testing.T) {
	srv := s3test.Start(t)
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), Dir)
	cfg := Config{Store: srv.URL(srv.Bucket(t), "team"), CacheSize: "1MiB"}
	h, err := Open(ctx, root, Options{Create: true, Getenv: env(nil), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for range 30 { // 3 MiB in objects an eighth of the bound or less
		b := make([]byte, 100<<10)
		rand.Read(b)
		if _, err := h.Store.PutBytes(b); err != nil {
			t.Fatal(err)
		}
	}
	var cached int64
	var files int
	filepath.WalkDir(filepath.Join(CacheDir(root), "objects"), func(p string, de fs.DirEntry, err error) error {
		if err == nil && de.Type().IsRegular() {
			fi, _ := de.Info()
			cached += fi.Size()
			files++
		}
		return nil
	})
	if cached > 1<<20 || files == 0 {
		t.Fatalf("read cache holds %d bytes in %d objects; want some, at most cache_size (1 MiB)", cached, files)
	}
}
