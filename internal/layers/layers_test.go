package layers

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "lockstep.dev/lockstep/internal/"

// layerOf returns the layer and family of an internal package, or -1.
func layerOf(pkg string) (int, string) {
	family, _, _ := strings.Cut(pkg, "/")
	for i, layer := range Layers {
		for _, f := range layer {
			if f == family {
				return i, family
			}
		}
	}
	return -1, family
}

// allowed says whether package pkg may import dep, and if not why.
func allowed(pkg, dep string) (bool, string) {
	pl, pf := layerOf(pkg)
	dl, df := layerOf(dep)
	switch {
	case dl < 0:
		return false, fmt.Sprintf("internal/%s has no layer", dep)
	case pf == df || dl < pl:
		return true, ""
	case dl == pl && SameLayer[[2]string{pf, df}] != "":
		return true, ""
	case dl == pl:
		return false, fmt.Sprintf("%s and %s share layer %d: list the import in layers.SameLayer with its reason, or move one of them", pf, df, pl)
	}
	return false, fmt.Sprintf("layer %d imports layer %d: imports must point down", pl, dl)
}

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
		if l, _ := layerOf(pkg); l < 0 {
			t.Errorf("package internal/%s has no layer: add its family to layers.Layers", pkg)
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
			if ok, why := allowed(pkg, dep); !ok {
				t.Errorf("%s imports internal/%s: %s", path, dep, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTheRuleRefusesWhatDESIGNForbids(t *testing.T) {
	for _, c := range []struct {
		pkg, dep string
		ok       bool
	}{
		{"engine", "task", true},
		{"store", "store/local", true},
		{"store/storetest", "store", true},
		{"task", "engine", false},
		{"home", "capture", false},
		{"capture", "home", true},
		{"policy", "dataset", true},
		{"dataset", "policy", false},
		{"scan", "attest", false},
		{"core", "store", false},
	} {
		if ok, why := allowed(c.pkg, c.dep); ok != c.ok {
			t.Errorf("%s importing %s: allowed=%v (%s), want %v", c.pkg, c.dep, ok, why, c.ok)
		}
	}
}

func TestEveryLayeredPackageExists(t *testing.T) {
	seen := map[string]bool{}
	for _, layer := range Layers {
		for _, family := range layer {
			if seen[family] {
				t.Errorf("family %s is in two layers", family)
			}
			seen[family] = true
			_, err := os.Stat(filepath.Join("..", family))
			switch {
			case err != nil && !Planned[family]:
				t.Errorf("layers.Layers names internal/%s, which does not exist", family)
			case err == nil && Planned[family]:
				t.Errorf("internal/%s exists: remove it from layers.Planned", family)
			}
		}
	}
	for pair, why := range SameLayer {
		a, _ := layerOf(pair[0])
		b, _ := layerOf(pair[1])
		if a != b || a < 0 || why == "" {
			t.Errorf("SameLayer %v: the two must share a layer and the entry must say why", pair)
		}
	}
}
