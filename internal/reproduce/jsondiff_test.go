package reproduce

import (
	"strings"
	"testing"
)

func TestDiffJSON(t *testing.T) {
	cases := []struct {
		name, a, b string
		tol        Tolerance
		want       []string
		verdict    Verdict
	}{
		{"same", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, Tolerance{}, nil, Reproduced},
		{"same number written differently", `{"a":1.0}`, `{"a":1}`, Tolerance{}, []string{"a: 1.0 -> 1 (+0, within tolerance)"}, WithinTolerance},
		{"changed number", `{"acc":0.9}`, `{"acc":0.95}`, Tolerance{}, []string{"acc: 0.9 -> 0.95 (+0.05)"}, Differs},
		{"within rtol", `{"loss":0.25}`, `{"loss":0.250000001}`, Tolerance{RTol: 1e-6}, []string{"loss: 0.25 -> 0.250000001 (+1e-09, within tolerance)"}, WithinTolerance},
		{"beyond atol", `{"loss":0.25}`, `{"loss":0.26}`, Tolerance{ATol: 1e-3}, []string{"loss: 0.25 -> 0.26 (+0.01)"}, Differs},
		{"keys added and removed", `{"a":1,"old":"x"}`, `{"a":1,"new":{"k":true}}`, Tolerance{}, []string{`+ new: {"k":true}`, `- old: "x"`}, Differs},
		{"nested paths", `{"m":{"coef":[[1,2],[3,4]]}}`, `{"m":{"coef":[[1,2],[3,5]]}}`, Tolerance{}, []string{"m.coef[1][1]: 4 -> 5 (+1)"}, Differs},
		{"array grew", `[1]`, `[1,2]`, Tolerance{RTol: 1}, []string{"+ [1]: 2"}, Differs},
		{"type changed", `{"a":1}`, `{"a":"1"}`, Tolerance{RTol: 1}, []string{`a: 1 -> "1"`}, Differs},
		{"string changed", `{"s":"x"}`, `{"s":"y"}`, Tolerance{}, []string{`s: "x" -> "y"`}, Differs},
		{"empty string is a value", `{"s":""}`, `{}`, Tolerance{}, []string{`- s: ""`}, Differs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := decodeJSON(strings.NewReader(c.a))
			if err != nil {
				t.Fatal(err)
			}
			b, err := decodeJSON(strings.NewReader(c.b))
			if err != nil {
				t.Fatal(err)
			}
			changes := diffJSON(a, b, c.tol)
			got := changeLines(changes, 10)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if v := verdictOf(changes); v != c.verdict {
				t.Errorf("verdict %q, want %q", v, c.verdict)
			}
		})
	}
}

func TestDecodeJSONRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"two values":  `{} {}`,
		"truncated":   `{"a":`,
		"not json":    `a,b`,
		"too big":     `"` + strings.Repeat("x", maxJSONBytes) + `"`,
		"empty input": ``,
	} {
		if _, err := decodeJSON(strings.NewReader(in)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func TestToleranceWithin(t *testing.T) {
	cases := []struct {
		tol  Tolerance
		a, b float64
		want bool
	}{
		{Tolerance{}, 1, 1, true},
		{Tolerance{}, 1, 1.0000001, false},
		{Tolerance{RTol: 1e-6}, 1000, 1000.0009, true},
		{Tolerance{RTol: 1e-6}, 1000, 1000.0011, false},
		{Tolerance{ATol: 0.1}, 0, 0.1, true},
		{Tolerance{ATol: 0.1}, 0, -0.11, false},
		{Tolerance{RTol: 1}, 1, nan(), false},
	}
	for _, c := range cases {
		if got := c.tol.Within(c.a, c.b); got != c.want {
			t.Errorf("%+v.Within(%g, %g) = %v, want %v", c.tol, c.a, c.b, got, c.want)
		}
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

// FuzzDiffJSON checks that any two documents compare without panicking,
// that a document never differs from itself, and that a diff is empty only
// for equal values.
func FuzzDiffJSON(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":[1,2,{"c":null}]}`), []byte(`{"a":1.5,"b":[1]}`))
	f.Add([]byte(`[1e308, -0, "x"]`), []byte(`[1e-308, 0, "y", true]`))
	f.Add([]byte(`"s"`), []byte(`{"s":{}}`))
	f.Fuzz(func(t *testing.T, x, y []byte) {
		a, errA := decodeJSON(strings.NewReader(string(x)))
		b, errB := decodeJSON(strings.NewReader(string(y)))
		if errA != nil || errB != nil {
			return
		}
		if d := diffJSON(a, a, Tolerance{}); len(d) != 0 {
			t.Fatalf("%s differs from itself: %v", x, d)
		}
		changes := diffJSON(a, b, Tolerance{RTol: 1e-6})
		if len(changes) == 0 && render(a) != render(b) {
			t.Fatalf("no changes between %s and %s", x, y)
		}
		_ = verdictOf(changes)
	})
}
