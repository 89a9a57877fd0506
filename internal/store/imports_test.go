package store

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The store sits at the bottom of lockstep's layers. blobio imports only
// the standard library; a backend, besides it, only core, x/sys and its
// service's SDK (never the store, which lists the backends); the store,
// besides those, only its backends.
func TestImportsStayLow(t *testing.T) {
	const mod = "lockstep.dev/lockstep/internal/"
	low := []string{mod + "core", "golang.org/x/sys/unix", mod + "store/blobio"}
	const aws = "github.com/aws/"
	sdk := []string{aws + "aws-sdk-go-v2/aws", aws + "aws-sdk-go-v2/aws/retry", aws + "aws-sdk-go-v2/aws/signer/v4",
		aws + "aws-sdk-go-v2/aws/transport/http", aws + "aws-sdk-go-v2/config", aws + "aws-sdk-go-v2/service/s3",
		aws + "aws-sdk-go-v2/service/s3/types", aws + "smithy-go"}
	for dir, allowed := range map[string][]string{
		"blobio": nil,
		"local":  low,
		"s3":     append(slices.Clone(low), sdk...),
		".":      append(slices.Clone(low), mod+"store/local", mod+"store/s3"),
	} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
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
				if !stdlib && !contains(allowed, p) {
					t.Errorf("%s imports %s; it may only import the standard library and %v", name, p, allowed)
				}
			}
		}
	}
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
