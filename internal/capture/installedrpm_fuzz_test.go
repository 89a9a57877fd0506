package capture

import (
	"strings"
	"testing"
)

// FuzzRPMFiles feeds parseRPMFiles what rpm -qa --queryformat
// rpmFileQuery might print from a damaged or hostile database: it must not
// panic, every path it returns must lie under the root, and every digest
// it vouches for must be a well-formed one of an algorithm it hashes.
func FuzzRPMFiles(f *testing.F) {
	sum := strings.Repeat("9e", 32)
	f.Add("python3-madeup\t0:1.2-3\t8\t" + sum + "\t33188\t0\t0\t/usr/lib/python3.11/site-packages/madeup/__init__.py\n" +
		"python3-madeup\t0:1.2-3\t8\t\t16877\t0\t0\t/usr/lib/python3.11/site-packages/madeup\n")
	f.Add("a\t1:2-3\t(none)\t0123456789abcdef0123456789abcdef\t33188\t1\t0\t/etc/a\nb\t0:1-1\t99\tzz\t33188\t0\t0\t/x\n")
	f.Add("a\t0:1\t8\t" + sum + "\t33188\t0\t0\t/../../etc/shadow\n\t\t\n")
	f.Fuzz(func(t *testing.T, text string) {
		err := parseRPMFiles(strings.NewReader(text), "/root", func(p rpmPackage) {
			if p.Name == "" {
				t.Fatalf("package without a name: %+v", p)
			}
			for _, e := range p.Files {
				if e.Path != "/root" && !strings.HasPrefix(e.Path, "/root/") {
					t.Fatalf("path %q outside the root", e.Path)
				}
				if e.Sum == "" {
					continue
				}
				algo, hex, _ := strings.Cut(e.Sum, ":")
				if _, err := newHash(algo); err != nil || hex == "" || strings.Trim(hex, "0123456789abcdef") != "" {
					t.Fatalf("sum %q of %q", e.Sum, e.Path)
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
