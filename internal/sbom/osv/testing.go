package osv

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ZipDir packs the *.json files of dir into a zip archive shaped like an
// OSV export's all.zip, in a temporary folder of tb's, and returns its
// path: a fixture for tests of the import of exports.
func ZipDir(tb testing.TB, dir string) string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	members := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		members[filepath.Base(n)] = b
	}
	return WriteZip(tb, members)
}

// WriteZip writes members (name to body, in name order) as all.zip in a
// temporary folder of tb's and returns its path.
func WriteZip(tb testing.TB, members map[string][]byte) string {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(members)) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(members[name]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "all.zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// Wheel writes a pure-Python wheel of distribution name at version, in a
// temporary folder of tb's, and returns its path: files (path in the
// wheel to content) plus the .dist-info's METADATA, WHEEL and a RECORD
// with every file's hash, as pip installs offline. A fixture for tests of
// installed PyPI packages; the file name uses the name as escaped by the
// wheel specification.
func Wheel(tb testing.TB, name, version string, files map[string]string) string {
	tb.Helper()
	escaped := regexp.MustCompile(`[-_.]+`).ReplaceAllString(name, "_")
	info := escaped + "-" + version + ".dist-info/"
	members := map[string][]byte{
		info + "METADATA": fmt.Appendf(nil, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", name, version),
		info + "WHEEL":    []byte("Wheel-Version: 1.0\nGenerator: lockstep-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
	}
	for p, body := range files {
		members[p] = []byte(body)
	}
	var record strings.Builder
	for _, p := range slices.Sorted(maps.Keys(members)) {
		sum := sha256.Sum256(members[p])
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(members[p]))
	}
	record.WriteString(info + "RECORD,,\n")
	members[info+"RECORD"] = []byte(record.String())
	path := filepath.Join(tb.TempDir(), escaped+"-"+version+"-py3-none-any.whl")
	if err := os.Rename(WriteZip(tb, members), path); err != nil {
		tb.Fatal(err)
	}
	return path
}
