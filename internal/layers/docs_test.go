package layers

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// section returns the text of the markdown section headed title in file.
func section(t *testing.T, file, title string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+title+"\n")
	if i < 0 {
		t.Fatalf("%s has no section %q", file, title)
	}
	s = s[i+len(title)+2:]
	if j := regexp.MustCompile(`\n#{1,2} `).FindStringIndex(s); j != nil {
		s = s[:j[0]]
	}
	return s
}

// TestDocsNameEveryPackage fails when a folder of internal/ is missing
// from the README's Layout or from the layers in docs/design.md, or when
// either names one that is gone.
func TestDocsNameEveryPackage(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	layout := section(t, filepath.Join("..", "..", "README.md"), "## Layout")
	layers := section(t, filepath.Join("..", "..", "docs", "design.md"), "## Layers")
	have := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		have[e.Name()] = true
		if !regexp.MustCompile(`(?m)^internal/` + e.Name() + `\s`).MatchString(layout) {
			t.Errorf("README.md's Layout does not list internal/%s", e.Name())
		}
		if e.Name() != "layers" && !regexp.MustCompile(`\b`+e.Name()+`\b`).MatchString(layers) {
			t.Errorf("docs/design.md's Layers does not place %s", e.Name())
		}
	}
	for _, m := range regexp.MustCompile(`(?m)^internal/([a-z]+)\s`).FindAllStringSubmatch(layout, -1) {
		if !have[m[1]] {
			t.Errorf("README.md's Layout lists internal/%s, which does not exist", m[1])
		}
	}
}
