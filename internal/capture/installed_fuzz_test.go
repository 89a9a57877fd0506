package capture

import (
	"strings"
	"testing"
)

// Fuzz targets for the files the verification of installed files reads:
// a distribution's RECORD, METADATA, requires.txt and direct_url.json,
// and dpkg's md5sums and status. They come from whatever was installed,
// so they may be hostile: parsers must not panic, and what they return
// must keep its invariants.

func FuzzRecord(f *testing.F) {
	f.Add("requests/__init__.py,sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,4924\nrequests-2.31.dist-info/RECORD,,\n")
	f.Add("\"a,b\",sha256=x,1\n")
	f.Add("a,md5=AAAAAAAAAAAAAAAAAAAAAA,1\n\"unterminated")
	f.Fuzz(func(t *testing.T, text string) {
		entries, err := parseRecord(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.Path == "" || strings.ContainsRune(e.Path, 0) {
				t.Fatalf("entry with path %q", e.Path)
			}
			if e.Sum != "" && !strings.HasPrefix(e.Sum, "sha") {
				t.Fatalf("sum %q", e.Sum)
			}
		}
	})
}

func FuzzMD5Sums(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef  usr/lib/python3/dist-packages/x.py\n")
	f.Add("zz  a\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		entries, err := parseMD5Sums(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Path, "/") || len(e.Sum) != len("md5:")+32 {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}

func FuzzRequires(f *testing.F) {
	f.Add("Name: x\nRequires-Dist: numpy (>=1.2)\nRequires-Dist: pytest; extra == 'test'\n\nRequires-Dist: body\n")
	f.Add("Requires-Dist: \x1b[31mred\nRequires-Dist: ;\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, parse := range []func(string) ([]string, error){
			func(s string) ([]string, error) { return parseRequiresDist(strings.NewReader(s)) },
			func(s string) ([]string, error) { return parseRequiresTxt(strings.NewReader(s)) },
		} {
			names, err := parse(text)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				if n == "" || strings.Trim(n, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
					t.Fatalf("requirement name %q", n)
				}
			}
		}
	})
}

func FuzzDirectURL(f *testing.F) {
	f.Add(`{"url":"file:///w.whl","archive_info":{"hashes":{"sha256":"` + strings.Repeat("ab", 32) + `"}}}`)
	f.Add(`{"archive_info":{"hash":"sha256=zz"}}`)
	f.Fuzz(func(t *testing.T, text string) {
		sum, err := parseDirectURL(strings.NewReader(text))
		if err == nil && sum != "" && len(sum) != len("sha256:")+64 {
			t.Fatalf("sum %q", sum)
		}
	})
}

func FuzzDpkgRelations(f *testing.F) {
	f.Add("Package: a\nStatus: install ok installed\nDepends: b (>= 1) | c, d:any\nPre-Depends: e\n\nPackage: c\nStatus: install ok installed\nProvides: d\n")
	f.Add("Package: a\nStatus: install ok installed\nDepends: a\n")
	f.Fuzz(func(t *testing.T, text string) {
		deps, err := parseDpkgRelations(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		for pkg, ds := range deps {
			for i, d := range ds {
				if d == pkg || d == "" || i > 0 && ds[i-1] >= d {
					t.Fatalf("%s depends on %v", pkg, ds)
				}
			}
		}
	})
}
