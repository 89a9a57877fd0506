package review

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// CommitTree snapshots the files of git commit below the working folder
// into st, filtered as a run of a clean checkout of it would be, and
// returns the tree's digest. The files are unpacked in a temporary folder
// under tmpDir, removed when done.
func CommitTree(ctx context.Context, st *store.Store, tmpDir, commit string) (core.Digest, error) {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--show-toplevel", "--show-prefix").Output()
	lines := strings.SplitN(string(out), "\n", 3)
	if err != nil || len(lines) < 2 {
		return "", fmt.Errorf("not in a git repository")
	}
	top, prefix := lines[0], lines[1]
	tmp, err := os.MkdirTemp(tmpDir, "review-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	// From the top: below it, git archive would also limit the tree to
	// the working folder's path inside it, which the tree lacks.
	cmd := exec.CommandContext(ctx, "git", "archive", "--format=tar", commit+":"+prefix)
	cmd.Dir = top
	tr, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	xerr := extractTar(tr, tmp)
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("git archive %s: %v %s", commit, err, strings.TrimSpace(stderr.String()))
	}
	if xerr != nil {
		return "", xerr
	}
	keep, err := capture.CodeFilter(tmp, nil, nil)
	if err != nil {
		return "", err
	}
	d, _, err := st.PutTree(ctx, tmp, store.TreeOptions{Filter: keep})
	return d, err
}

// extractTar unpacks git's tar into dir, refusing entries that would land
// outside it.
func extractTar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read git archive: %w", err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		name := strings.TrimSuffix(hdr.Name, "/")
		if err := core.ValidRelPath(name); err != nil {
			return fmt.Errorf("git archive entry %q: %w", hdr.Name, err)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			err = os.Symlink(hdr.Linkname, p)
		case tar.TypeReg:
			err = writeTarFile(tr, p, os.FileMode(hdr.Mode)&0o755|0o644)
		default:
			err = fmt.Errorf("git archive entry %q: unexpected type %c", hdr.Name, hdr.Typeflag)
		}
		if err != nil {
			return err
		}
	}
}

func writeTarFile(r io.Reader, p string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
