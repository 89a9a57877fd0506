package attest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// copyVector copies the model files of the reference vector (not the
// README or keys kept beside them) into a fresh directory.
func copyVector(t *testing.T) (dir string, sig []byte) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "v1.1.0-elliptic-key")
	for _, f := range []string{"signme-1", "signme-2", "ignore-me", "model.sig"} {
		b, err := os.ReadFile(filepath.Join(vectorDir, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), string(b))
	}
	sig, err := os.ReadFile(filepath.Join(dir, "model.sig"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, sig
}

func TestVerifyModelReferenceVector(t *testing.T) {
	tests := []struct {
		name    string
		change  func(dir string)
		want    *ModelResult // Added, Removed, Changed only
		wantErr error
	}{
		{"as signed", func(string) {}, &ModelResult{}, nil},
		{"ignored file changed", func(dir string) { writeFile(t, filepath.Join(dir, "ignore-me"), "anything") }, &ModelResult{}, nil},
		{"signme-1 changed", func(dir string) { writeFile(t, filepath.Join(dir, "signme-1"), "signme-one\n") },
			&ModelResult{Changed: []string{"signme-1"}}, ErrModelMismatch},
		{"signme-2 truncated", func(dir string) { writeFile(t, filepath.Join(dir, "signme-2"), "") },
			&ModelResult{Changed: []string{"signme-2"}}, ErrModelMismatch},
		{"signme-2 removed", func(dir string) { _ = os.Remove(filepath.Join(dir, "signme-2")) },
			&ModelResult{Removed: []string{"signme-2"}}, ErrModelMismatch},
		{"file added", func(dir string) { writeFile(t, filepath.Join(dir, "sub/extra.bin"), "x") },
			&ModelResult{Added: []string{"sub/extra.bin"}}, ErrModelMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, sig := copyVector(t)
			tt.change(dir)
			res, err := VerifyModel(context.Background(), dir, sig, []*PublicKey{vectorKey(t)})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if res == nil {
				t.Fatal("no result")
			}
			got := &ModelResult{Added: res.Added, Removed: res.Removed, Changed: res.Changed}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diff %+v, want %+v", got, tt.want)
			}
			for _, p := range append(append(tt.want.Added, tt.want.Removed...), tt.want.Changed...) {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not name %s", err, p)
				}
			}
			if err == nil && (res.Digest != "sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4" || res.Files != 2) {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestVerifyModelWrongKey(t *testing.T) {
	dir, sig := copyVector(t)
	_, err := VerifyModel(context.Background(), dir, sig, []*PublicKey{testSigner(t, "").PublicKey})
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("err = %v, want ErrWrongKey", err)
	}
}

// makeModel writes a model directory whose paths exercise the resource
// order ("a/b" before "a-b"), nesting, an empty file and ignored files.
func makeModel(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "tiny-model")
	for p, c := range map[string]string{
		"a/b":             "inner file b",
		"a-b":             "dash file",
		"a/c/weights.bin": strings.Repeat("0123456789", 3),
		"config.json":     `{"layers": 2}`,
		"empty":           "",
		".git/HEAD":       "ref: refs/heads/main",
		"logs/train.log":  "epoch 1",
	} {
		writeFile(t, filepath.Join(dir, p), c)
	}
	return dir
}

func TestSignModelRoundTrip(t *testing.T) {
	for _, shard := range []int64{0, 8} {
		t.Run(map[bool]string{true: "shards", false: "files"}[shard > 0], func(t *testing.T) {
			s := testSigner(t, "")
			dir := makeModel(t)
			sig, err := SignModel(context.Background(), dir, s, ModelOptions{IgnorePaths: []string{"logs"}, ShardSize: shard})
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, ModelSignatureFile), string(sig))
			keys := []*PublicKey{s.PublicKey}
			res, err := VerifyModel(context.Background(), dir, sig, keys)
			if err != nil {
				t.Fatal(err)
			}
			if res.Files != 5 || res.Key != s.PublicKey {
				t.Errorf("result %+v, want 5 files signed by the signer", res)
			}
			writeFile(t, filepath.Join(dir, "logs/train.log"), "epoch 2")
			writeFile(t, filepath.Join(dir, "a/c/weights.bin"), strings.Repeat("0123456789", 3)+"!")
			_ = os.Remove(filepath.Join(dir, "a-b"))
			writeFile(t, filepath.Join(dir, "a/new"), "")
			res, err = VerifyModel(context.Background(), dir, sig, keys)
			if !errors.Is(err, ErrModelMismatch) {
				t.Fatalf("err = %v, want ErrModelMismatch", err)
			}
			want := &ModelResult{Changed: []string{"a/c/weights.bin"}, Removed: []string{"a-b"}}
			if shard == 0 { // the shards method, like the reference, has no resource for an empty file
				want.Added = []string{"a/new"}
			}
			got := &ModelResult{Added: res.Added, Removed: res.Removed, Changed: res.Changed}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("diff %+v, want %+v", got, want)
			}
		})
	}
}

func TestSignModelRefuses(t *testing.T) {
	s := testSigner(t, "")
	dir := makeModel(t)
	if err := os.Symlink("a/b", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := SignModel(context.Background(), dir, s, ModelOptions{}); err == nil || !strings.Contains(err.Error(), "link is a symbolic link") {
		t.Errorf("symlink: err = %v", err)
	}
	if _, err := SignModel(context.Background(), dir, s, ModelOptions{IgnorePaths: []string{"../x"}}); err == nil || !strings.Contains(err.Error(), `"../x"`) {
		t.Errorf("ignore path outside: err = %v", err)
	}
	if _, err := SignModel(context.Background(), dir, s, ModelOptions{ShardSize: -1}); err == nil {
		t.Error("negative shard size accepted")
	}
	if _, err := SignModel(context.Background(), filepath.Join(dir, "missing"), s, ModelOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir: err = %v", err)
	}
}

func TestVerifyModelRejectsOtherPredicates(t *testing.T) {
	s := testSigner(t, "")
	b, _ := signedStatement(t, s, "a", []byte("a"))
	if _, err := VerifyModel(context.Background(), t.TempDir(), b, []*PublicKey{s.PublicKey}); !errors.Is(err, ErrMalformed) {
		t.Errorf("err = %v, want ErrMalformed", err)
	}
}

func TestPosixPathOrder(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a/b", "a-b", -1},
		{"a", "a/b", -1},
		{"a/b", "a.b", -1},
		{"b", "a/z", 1},
		{"d0/f00", "d0/f00", 0},
		{"B", "a", -1},
	}
	for _, tt := range tests {
		if got := comparePosixPath(tt.a, tt.b); got != tt.want {
			t.Errorf("compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSignModelCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SignModel(ctx, makeModel(t), testSigner(t, ""), ModelOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestVerifyModelDigests: known digests check a signature as re-hashing
// the folder does — same files, same verdict, same differences named —
// and a signature over shards is left to VerifyModel.
func TestVerifyModelDigests(t *testing.T) {
	s := testSigner(t, "")
	dir := makeModel(t)
	keys := []*PublicKey{s.PublicKey}
	sig, err := SignModel(context.Background(), dir, s, ModelOptions{IgnorePaths: []string{"logs"}})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]core.Digest{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			files[filepath.ToSlash(rel)] = core.DigestOf(b)
		}
		return err
	})
	res, err := VerifyModelDigests("m", files, sig, keys)
	if err != nil || res.Files != 5 || res.Key != s.PublicKey {
		t.Fatalf("known digests of the signed files: %+v %v", res, err)
	}
	files["a/c/weights.bin"] = core.DigestOf([]byte("other weights"))
	files["a/new"] = core.DigestOf(nil)
	files["logs/more.log"] = core.DigestOf([]byte("ignored"))
	res, err = VerifyModelDigests("m", files, sig, keys)
	if !errors.Is(err, ErrModelMismatch) || !reflect.DeepEqual(res.Changed, []string{"a/c/weights.bin"}) || !reflect.DeepEqual(res.Added, []string{"a/new"}) {
		t.Fatalf("altered digests: %+v %v, want weights changed and a/new added", res, err)
	}
	sharded, err := SignModel(context.Background(), dir, s, ModelOptions{ShardSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyModelDigests("m", files, sharded, keys); !errors.Is(err, ErrShardedModel) {
		t.Fatalf("sharded signature: %v, want ErrShardedModel", err)
	}
}
