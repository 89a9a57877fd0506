package osv

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodEntry = `{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}`

func TestReadExportRefusesATruncatedOrCorruptArchive(t *testing.T) {
	path := ZipDir(t, fixture)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(t.TempDir(), "truncated.zip")
	if err := os.WriteFile(truncated, b[:len(b)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadExport(truncated); err == nil || !strings.Contains(err.Error(), "not a complete zip archive") || !strings.Contains(err.Error(), "fetch the export again") {
		t.Errorf("truncated export: err = %v", err)
	}
	// Flip a byte inside the first member's data: it no longer inflates,
	// or its CRC-32 no longer holds.
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	off, err := zr.File[0].DataOffset()
	if err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(b)
	corrupt[off+int64(zr.File[0].CompressedSize64)/2] ^= 0x55
	p := filepath.Join(t.TempDir(), "corrupt.zip")
	if err := os.WriteFile(p, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadExport(p); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt member: err = %v", err)
	}
	if _, err := ReadExport(filepath.Join(t.TempDir(), "absent.zip")); err == nil {
		t.Error("an absent export was read")
	}
}

func TestReadExportSkipsBadEntriesNamingThem(t *testing.T) {
	huge := bytes.Repeat([]byte(" "), MaxAdvisoryBytes+1)
	path := WriteZip(t, map[string][]byte{
		"good.json":        []byte(goodEntry),
		"notjson.json":     []byte("{\"id\": "),
		"noid.json":        []byte(`{"modified":"2024-01-01T00:00:00Z"}`),
		"escape-id.json":   []byte(`{"id":"\u001b[31mGHSA","modified":"2024-01-01T00:00:00Z"}`),
		"bad-name.json":    []byte(`{"id":"GHSA-2","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x\u001b[2J"}}]}`),
		"bad-time.json":    []byte(`{"id":"GHSA-3","modified":"yesterday"}`),
		"huge.json":        huge,
		"README.md":        []byte("not an advisory"),
		"dir/nested.json":  []byte(strings.Replace(goodEntry, "GHSA-1", "GHSA-4", 1)),
		"\x1b[31mred.json": []byte("x"),
	})
	ex, err := ReadExport(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Advisories) != 2 {
		t.Errorf("%d advisories read, want GHSA-1 and GHSA-4", len(ex.Advisories))
	}
	skipped := strings.Join(ex.Skipped, "\n")
	for _, want := range []string{"notjson.json: not an OSV entry", "noid.json: field id", "escape-id.json: field id",
		"bad-name.json: advisory GHSA-2: field affected[0]: package.name", "bad-time.json: advisory GHSA-3: field modified",
		"huge.json: 8388609 bytes, more than the 8388608"} {
		if !strings.Contains(skipped, want) {
			t.Errorf("skipped does not say %q:\n%s", want, skipped)
		}
	}
	if strings.Contains(skipped, "\x1b") {
		t.Errorf("a skipped entry's name carries a terminal escape: %q", skipped)
	}
}

func TestParseCleansHostileText(t *testing.T) {
	a, err := Parse([]byte(`{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","summary":"evil\u001b]52;c;payload\u0007 \u202eexe.txt` +
		strings.Repeat("x", 5000) + `","aliases":["CVE-1","\u001b[31m"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(a.Summary, "\x1b\x07\u202e") || len(a.Summary) > maxText+len("…") {
		t.Errorf("summary kept hostile or unbounded text: %q", a.Summary[:40])
	}
	if len(a.Aliases) != 1 {
		t.Errorf("aliases = %q, want the escape sequence dropped", a.Aliases)
	}
	if _, err := Parse(bytes.Repeat([]byte("["), MaxAdvisoryBytes+1)); err == nil {
		t.Error("an oversized entry was parsed")
	}
}

func TestReadExportFromAFolderDigestsItsContent(t *testing.T) {
	a, err := ReadExport(fixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "one.json"), []byte(goodEntry), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadExport(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Advisories) != 10 || len(b.Advisories) != 1 || a.Digest == b.Digest || !b.Digest.Valid() {
		t.Errorf("fixture %d advisories %s; one-file folder %d %s", len(a.Advisories), a.Digest, len(b.Advisories), b.Digest)
	}
	if err := os.Symlink(filepath.Join(dir, "one.json"), filepath.Join(dir, "link.json")); err == nil {
		if c, _ := ReadExport(dir); len(c.Advisories) != 1 {
			t.Errorf("a symbolic link was followed: %d advisories", len(c.Advisories))
		}
	}
}
