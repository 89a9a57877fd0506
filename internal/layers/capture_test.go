package layers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The environment that enters a task's cache key and provenance is the one
// of the host that runs the task: only the executor (internal/task)
// captures it. A submitter (the engine, the CLI, a server) that called
// capture.Capture would record its own machine for a task that ran on
// another, and could hand out a cached result made in a different
// environment.
func TestOnlyTheExecutorCapturesEnvironments(t *testing.T) {
	root := ".."
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		switch filepath.ToSlash(rel) {
		case "task", "capture":
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Capture" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "capture" {
					t.Errorf("%s: calls capture.Capture; only the executor (internal/task) captures an environment, where the task runs",
						fset.Position(n.Pos()))
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
