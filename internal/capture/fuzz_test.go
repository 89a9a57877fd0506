package capture

import (
	"path"
	"strings"
	"testing"
)

// The fuzz targets feed the parsers of files a capture reads from the
// machine or a project (which may be hostile) and check they never panic
// and keep their output invariants.

func FuzzOSRelease(f *testing.F) {
	f.Add("ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME='Debian'\n")
	f.Add("ID=\"unterminated\nPRETTY_NAME=\\\n")
	f.Add("\x00=\x00\n=\n#ID=x")
	f.Fuzz(func(t *testing.T, text string) {
		info, err := parseOSRelease(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "ID") && info.ID != "linux" {
			t.Errorf("ID %q from text without ID", info.ID)
		}
	})
}

func FuzzDpkgStatus(f *testing.F) {
	f.Add("Package: bash\nStatus: install ok installed\nVersion: 5.2\nArchitecture: amd64\n\nPackage: x\n")
	f.Add("Package:\nStatus: install ok installed\nVersion:\n\n\n Package: y\n")
	f.Fuzz(func(t *testing.T, text string) {
		pkgs, err := parseDpkgStatus(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		checkPackages(t, pkgs)
		if !strings.Contains(text, "installed") && len(pkgs) > 0 {
			t.Errorf("packages %v from a status without installed ones", pkgs)
		}
	})
}

func FuzzApkInstalled(f *testing.F) {
	f.Add("P:musl\nV:1.2.4\nA:x86_64\n\nP:x\n")
	f.Fuzz(func(t *testing.T, text string) {
		pkgs, err := parseApkInstalled(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		checkPackages(t, pkgs)
	})
}

func FuzzDistMetadata(f *testing.F) {
	f.Add("Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\n\nbody")
	f.Add("name:\n version: x\nVERSION: 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		name, version, err := parseDistMetadata(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(name+version, "\n\r") {
			t.Errorf("field with a line break: %q %q", name, version)
		}
		if n := normalizeName(name); strings.ContainsAny(n, "_.") || strings.ToLower(n) != n {
			t.Errorf("normalizeName(%q) = %q", name, n)
		}
	})
}

func FuzzIgnorePattern(f *testing.F) {
	f.Add("/build/", "build/x.o")
	f.Add("**/[a-c]?.py", "src/b1.py")
	f.Add("!a/**/b[!x][[:digit:]]", "a/q/r/by7")
	f.Add("\\#x\\ ", "#x ")
	f.Add("[", "[")
	f.Add("a/**/**/**/**/**/**/b", "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c")
	f.Fuzz(func(t *testing.T, line, rel string) {
		p, ok := parseIgnoreLine(line)
		if !ok {
			return
		}
		segs := strings.Split(rel, "/")
		if len(segs) > 32 {
			return
		}
		for _, isDir := range []bool{false, true} {
			if p.match(segs, isDir) && p.bad {
				t.Errorf("malformed pattern %q matched %q", line, rel)
			}
		}
		if p.dirOnly && p.match(segs, false) {
			t.Errorf("directory pattern %q matched file %q", line, rel)
		}
	})
}

func FuzzGlob(f *testing.F) {
	f.Add("*.py", "train.py")
	f.Add("[]a-]x", "-x")
	f.Add("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		got := globMatch(pattern, name)
		if !strings.ContainsAny(pattern, "*?[\\") && got != (pattern == name) {
			t.Errorf("literal %q vs %q: %v", pattern, name, got)
		}
		if pattern == "*" && !got {
			t.Errorf("* did not match %q", name)
		}
	})
}

func FuzzFindPython(f *testing.F) {
	f.Add("A=1 env -i -u X PYTHONPATH=$HOME/src nice -n 5 python3 -sE -W ignore train.py")
	f.Add("cd 'a b' && \"/opt/py env/bin/python3.11\" -m x | tee log # python3")
	f.Add("echo 'unterminated \\")
	f.Fuzz(func(t *testing.T, cmd string) {
		call := findPython(cmd)
		if call == nil {
			return
		}
		if !pythonName.MatchString(path.Base(call.Word)) {
			t.Errorf("%q: interpreter word %q is not a python", cmd, call.Word)
		}
		if strings.Trim(call.Flags, "-IEsS") != "" {
			t.Errorf("%q: flags %q", cmd, call.Flags)
		}
	})
}

// checkPackages asserts what every OS package list must hold: names and
// versions present, sorted by name.
func checkPackages(t *testing.T, pkgs []Package) {
	t.Helper()
	for i, p := range pkgs {
		if p.Name == "" || p.Version == "" {
			t.Errorf("package %d without name or version: %+v", i, p)
		}
		if i > 0 && pkgs[i-1].Name > p.Name {
			t.Errorf("packages not sorted: %q before %q", pkgs[i-1].Name, p.Name)
		}
	}
}
