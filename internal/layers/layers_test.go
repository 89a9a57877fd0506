package layers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "lockstep.dev/lockstep/internal/"

func TestImportsPointDown(t *testing.T) {
	root := ".."
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if strings.Contains(path, "/testdata/") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		rank, ok := Rank[pkg]
		if !ok {
			t.Errorf("package internal/%s has no layer: add it to layers.Rank", pkg)
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			dep := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(dep, module) {
				continue
			}
			dep = strings.TrimPrefix(dep, module)
			depRank, ok := Rank[dep]
			if !ok {
				t.Errorf("%s imports internal/%s, which has no layer", path, dep)
				continue
			}
			if depRank >= rank {
				t.Errorf("%s (layer %d) imports internal/%s (layer %d): imports must point down", path, rank, dep, depRank)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEveryLayeredPackageExists(t *testing.T) {
	for pkg := range Rank {
		if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(pkg))); err != nil {
			t.Errorf("layers.Rank names internal/%s, which does not exist", pkg)
		}
	}
}
