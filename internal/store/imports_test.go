package store

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The store sits at the bottom of lockstep's layers: besides the standard
// library it may import only core and x/sys.
func TestImportsStayLow(t *testing.T) {
	allowed := map[string]bool{"lockstep.dev/lockstep/internal/core": true, "golang.org/x/sys/unix": true}
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			stdlib := !strings.Contains(strings.SplitN(p, "/", 2)[0], ".")
			if !stdlib && !allowed[p] {
				t.Errorf("%s imports %s; the store may only import the standard library, core and x/sys", name, p)
			}
		}
	}
}
