package scan

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadAllowList(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "allow.txt")
	os.WriteFile(good, []byte("# models we trust\nsklearn.*   # all of scikit-learn\n\ncollections.Counter\n"), 0o644)
	got, err := LoadAllowList(good)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sklearn.*", "collections.Counter"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, c := range []struct{ text, where string }{
		{"ok.name\nnodot\n", ":2:"},
		{"a.b c\n", ":1:"},
		{"a.*.b\n", ":1:"},
		{"x.y\n\n# c\nsk*.x\n", ":4:"},
	} {
		bad := filepath.Join(dir, "bad.txt")
		os.WriteFile(bad, []byte(c.text), 0o644)
		_, err := LoadAllowList(bad)
		if err == nil || !strings.Contains(err.Error(), bad+c.where) {
			t.Errorf("%q: error %v does not name %s%s", c.text, err, bad, c.where)
		}
	}
	if _, err := LoadAllowList(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestOptions(t *testing.T) {
	unknown := proto(2) + glob("sklearn.tree._classes", "DecisionTreeClassifier") + ")\x81."
	cases := []struct {
		name string
		data string
		opts Options
		want Verdict
	}{
		{"unknown refused by default", unknown, Options{}, Refused},
		{"unknown refused by allow-safe", unknown, Options{Pickle: PickleAllowSafe}, Refused},
		{"unknown allowed as a warning", unknown, Options{Pickle: PickleAllow}, Allowed},
		{"unknown safe by package", unknown, Options{Pickle: PickleAllowSafe, AllowGlobals: []string{"sklearn.*"}}, Allowed},
		{"unknown safe by name", unknown, Options{Pickle: PickleAllowSafe, AllowGlobals: []string{"sklearn.tree._classes.DecisionTreeClassifier"}}, Allowed},
		{"listed globals are still refused by deny", unknown, Options{AllowGlobals: []string{"sklearn.*"}}, Refused},
		{"other package does not match", unknown, Options{Pickle: PickleAllowSafe, AllowGlobals: []string{"sklearnx.*"}}, Refused},
		{"dangerous stays unsafe with allow-safe", evil4, Options{Pickle: PickleAllowSafe}, Unsafe},
		{"dangerous stays unsafe with allow", evil4, Options{Pickle: PickleAllow}, Unsafe},
		{"dangerous safe by explicit name", evil4, Options{Pickle: PickleAllowSafe, AllowGlobals: []string{"os.system"}}, Allowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Reader(context.Background(), "m.pkl", strings.NewReader(c.data), int64(len(c.data)), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != c.want {
				t.Fatalf("verdict %s, want %s: %+v", rep.Verdict, c.want, rep.Findings)
			}
			if len(rep.Findings) == 0 || len(rep.Findings[0].Globals) == 0 {
				t.Fatalf("findings lost with the option: %+v", rep.Findings)
			}
		})
	}
}

func TestReaderDoesNotDependOnName(t *testing.T) {
	for _, name := range []string{"a.pkl", "a.txt", "a.safetensors", "a.csv", "a.json", "noext", "a.npy"} {
		rep, err := Reader(context.Background(), name, bytes.NewReader([]byte(evil4)), int64(len(evil4)), Options{})
		if err != nil || rep.Verdict != Unsafe || rep.Format != "pickle" {
			t.Errorf("%s: %v %+v", name, err, rep)
		}
	}
}
