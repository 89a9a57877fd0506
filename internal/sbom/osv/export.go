package osv

import (
	"archive/zip"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// Limits on an export as a whole, beyond MaxAdvisoryBytes per entry. The
// largest OSV export (Debian's) holds about 100,000 entries and unpacks to
// a few GiB.
const (
	// MaxEntries bounds the number of JSON entries of one export.
	MaxEntries = 1_000_000
	// MaxExportBytes bounds the unpacked size of one export's entries.
	MaxExportBytes = 16 << 30
)

// Export is an OSV export read and checked: the advisories it holds and
// the entries it could not use, each with where and why.
type Export struct {
	// Source is the path the export was read from.
	Source string
	// Digest is the sha256 of the zip file, or for a folder of the list
	// of its JSON files' paths and digests.
	Digest     core.Digest
	Advisories []*Advisory
	// Skipped are entries that are not OSV advisories lockstep can use
	// (not JSON, no id, oversized...), as "member: reason".
	Skipped []string
}

// ReadExport reads an OSV export: a zip archive of OSV JSON files (the
// all.zip each ecosystem publishes) or a folder of them (searched
// recursively, symbolic links not followed). A file that is not a
// complete zip archive or folder fails the whole read; a bad entry inside
// is skipped and listed in Skipped.
func ReadExport(path string) (*Export, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("osv export: %w", err)
	}
	if fi.IsDir() {
		return readDir(path)
	}
	return readZip(path, fi.Size())
}

// readZip reads the JSON members of a zip archive.
func readZip(path string, size int64) (*Export, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("osv export: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("osv export %s: %w", path, err)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, fmt.Errorf("osv export %s is not a complete zip archive (%v): a truncated or corrupt download; fetch the export again", path, err)
	}
	ex := &Export{Source: path, Digest: core.Digest(core.DigestPrefix + fmt.Sprintf("%x", h.Sum(nil)))}
	var total uint64
	var entries int
	for _, m := range zr.File {
		if m.FileInfo().IsDir() || !strings.HasSuffix(m.Name, ".json") {
			continue
		}
		if entries++; entries > MaxEntries {
			return nil, fmt.Errorf("osv export %s: more than %d entries; not an OSV export", path, MaxEntries)
		}
		name := cleanText(m.Name)
		if m.UncompressedSize64 > MaxAdvisoryBytes {
			ex.Skipped = append(ex.Skipped, fmt.Sprintf("%s: %d bytes, more than the %d an advisory may have", name, m.UncompressedSize64, MaxAdvisoryBytes))
			continue
		}
		if total += m.UncompressedSize64; total > MaxExportBytes {
			return nil, fmt.Errorf("osv export %s: entries unpack to more than %d bytes; not an OSV export", path, uint64(MaxExportBytes))
		}
		b, err := readMember(m)
		if err != nil {
			return nil, fmt.Errorf("osv export %s: member %s: %v: the archive is corrupt; fetch the export again", path, name, err)
		}
		ex.add(name, b)
	}
	return ex, nil
}

// readMember reads one zip member, never more than MaxAdvisoryBytes
// whatever its header claims; archive/zip checks its CRC-32 at the end.
func readMember(m *zip.File) ([]byte, error) {
	rc, err := m.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxAdvisoryBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxAdvisoryBytes || uint64(len(b)) != m.UncompressedSize64 {
		return nil, fmt.Errorf("holds %d bytes, its header says %d", len(b), m.UncompressedSize64)
	}
	return b, nil
}

// readDir reads the *.json files below dir.
func readDir(dir string) (*Export, error) {
	ex := &Export{Source: dir}
	var list strings.Builder
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, ".json") {
			if len(paths) >= MaxEntries {
				return fmt.Errorf("more than %d JSON files; not an OSV export", MaxEntries)
			}
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("osv export %s: %w", dir, err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		name := cleanText(rel)
		b, err := readFileLimited(p)
		if errors.Is(err, errTooLarge) {
			ex.Skipped = append(ex.Skipped, fmt.Sprintf("%s: more than the %d bytes an advisory may have", name, MaxAdvisoryBytes))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("osv export %s: %w", dir, err)
		}
		fmt.Fprintf(&list, "%s %s\n", core.DigestOf(b), filepath.ToSlash(rel))
		ex.add(name, b)
	}
	ex.Digest = core.DigestOf([]byte(list.String()))
	return ex, nil
}

var errTooLarge = errors.New("too large")

// readFileLimited reads a file of at most MaxAdvisoryBytes.
func readFileLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxAdvisoryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(b) > MaxAdvisoryBytes {
		return nil, errTooLarge
	}
	return b, nil
}

// add parses one entry into the export, or records why it was skipped.
func (ex *Export) add(name string, b []byte) {
	a, err := Parse(b)
	if err != nil {
		ex.Skipped = append(ex.Skipped, fmt.Sprintf("%s: %v", name, err))
		return
	}
	ex.Advisories = append(ex.Advisories, a)
}
