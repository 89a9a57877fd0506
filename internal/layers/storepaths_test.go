package layers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// storePathAPI returns the store's names that reveal a path inside it:
// the interface store.LocalFiles and its methods, which only internal/store
// may use, in code and in tests (tests damage objects through
// storetest.Damage instead).
func storePathAPI(t *testing.T) map[string]bool {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "store", "blob.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == "LocalFiles" {
			names[ts.Name.Name] = true
			for _, m := range ts.Type.(*ast.InterfaceType).Methods.List {
				for _, id := range m.Names {
					names[id.Name] = true
				}
			}
		}
		return true
	})
	if len(names) < 2 {
		t.Fatal("internal/store/blob.go declares no LocalFiles interface with methods: update this test")
	}
	return names
}

// storeLayout reports whether a string literal spells the store's folder
// layout: the objects folder ("objects", "objects/sha256/…").
func storeLayout(lit string) bool {
	return lit == "objects" || strings.Contains(lit, "objects/sha256")
}

// No package outside internal/store may name a path inside the store: it
// reaches objects through the store's API (verifying reads, the
// materialiser), so that the store can live somewhere else than a local
// folder. Tests outside the store may spell the layout (a test that
// tampers with a home's files on disk plays an attacker), but not use the
// store's path API.
func TestNoStorePathsOutsideStore(t *testing.T) {
	root := ".."
	pathAPI := storePathAPI(t)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if strings.HasPrefix(filepath.ToSlash(rel), "store/") || strings.Contains(path, "/testdata/") {
			return nil
		}
		isTest := strings.HasSuffix(path, "_test.go")
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if pathAPI[n.Sel.Name] {
					t.Errorf("%s: uses %s, a path inside the store; read objects with Open or Materialize instead",
						fset.Position(n.Pos()), n.Sel.Name)
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING || isTest {
					break
				}
				if lit, err := strconv.Unquote(n.Value); err == nil && storeLayout(lit) {
					t.Errorf("%s: spells the store's folder layout (%q); only internal/store knows where objects live",
						fset.Position(n.Pos()), lit)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
