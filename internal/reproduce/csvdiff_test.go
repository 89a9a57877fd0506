package reproduce

import (
	"strings"
	"testing"
)

func TestDiffCSV(t *testing.T) {
	cases := []struct {
		name, a, b string
		comma      rune
		tol        Tolerance
		want       []string
		verdict    Verdict
	}{
		{"same", "x,y\n1,2\n", "x,y\n1,2\n", ',', Tolerance{}, nil, Reproduced},
		{"cell changed", "x,y\n1,2\n3,4\n", "x,y\n1,2\n3,5\n", ',', Tolerance{}, []string{`row 3, column y: "4" -> "5"`}, Differs},
		{"within tolerance", "x,y\n1,0.5\n", "x,y\n1,0.5000001\n", ',', Tolerance{RTol: 1e-3}, []string{`row 2, column y: "0.5" -> "0.5000001" (within tolerance)`}, WithinTolerance},
		{"row added", "x\n1\n", "x\n1\n2\n", ',', Tolerance{}, []string{"rows 2 -> 3"}, Differs},
		{"row removed", "x\n1\n2\n3\n", "x\n1\n", ',', Tolerance{}, []string{"rows 4 -> 2"}, Differs},
		{"column added", "x\n1\n", "x,z\n1,2\n", ',', Tolerance{}, []string{"column added: z", `row 2, column 2: "" -> "2"`}, Differs},
		{"column removed", "x,z\n1,2\n", "x\n1\n", ',', Tolerance{}, []string{"column removed: z", `row 2, column z: "2" -> ""`}, Differs},
		{"columns reordered", "x,z\n", "z,x\n", ',', Tolerance{}, []string{"columns reordered"}, Differs},
		{"tsv", "a\tb\n1\t2\n", "a\tb\n1\t3\n", '\t', Tolerance{}, []string{`row 2, column b: "2" -> "3"`}, Differs},
		{"many cells", "a\n1\n2\n3\n4\n5\n6\n7\n", "a\n0\n0\n0\n0\n0\n0\n0\n", ',', Tolerance{}, []string{
			`row 2, column a: "1" -> "0"`, `row 3, column a: "2" -> "0"`, `row 4, column a: "3" -> "0"`,
			`row 5, column a: "4" -> "0"`, `row 6, column a: "5" -> "0"`, "... and 2 more differing cells"}, Differs},
		{"text beyond tolerance", "a\nx\n", "a\ny\n", ',', Tolerance{RTol: 1}, []string{`row 2, column a: "x" -> "y"`}, Differs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := diffCSV(strings.NewReader(c.a), strings.NewReader(c.b), c.comma, c.tol)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(res.details, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("details:\n%s\nwant:\n%s", strings.Join(res.details, "\n"), strings.Join(c.want, "\n"))
			}
			if res.verdict != c.verdict {
				t.Errorf("verdict %q, want %q", res.verdict, c.verdict)
			}
		})
	}
}

// FuzzDiffCSV checks that any two inputs compare without panicking and that
// a file is always reproduced by itself.
func FuzzDiffCSV(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"), []byte("a,b\n1,3\n4\n"))
	f.Add([]byte("\"q\"\"x\",\n\n"), []byte("a\tb\n"))
	f.Add([]byte(""), []byte("x\n"))
	f.Fuzz(func(t *testing.T, x, y []byte) {
		res, err := diffCSV(strings.NewReader(string(x)), strings.NewReader(string(x)), ',', Tolerance{})
		if err == nil && res.verdict != Reproduced {
			t.Fatalf("%q differs from itself: %v", x, res.details)
		}
		_, _ = diffCSV(strings.NewReader(string(x)), strings.NewReader(string(y)), ',', Tolerance{RTol: 1e-6})
	})
}
