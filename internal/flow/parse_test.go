package flow

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseInvalid(t *testing.T) {
	dir := project(t)
	for _, tc := range invalidFlows {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("lockstep.yaml", flowText(tc.yaml), dir)
			if err == nil {
				t.Fatalf("Parse succeeded (%d steps), want error:\n%s", len(f.Steps), tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tc.want)
			}
			var one *Error
			if !errors.As(err, &one) || one.File != "lockstep.yaml" {
				t.Errorf("errors.As(*Error) = %v, %+v; want an *Error of lockstep.yaml", one != nil, one)
			}
		})
	}
}

// TestErrorFields checks the fields of an *Error found with errors.As.
func TestErrorFields(t *testing.T) {
	src := strings.Replace(twoSteps, "%s", "{step: prep, output: train}", 1)
	_, err := Parse("flows/lockstep.yaml", flowText(src), "")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse: %v, want an *Error", err)
	}
	want := Error{File: "flows/lockstep.yaml", Line: 10, Column: 20, Field: "steps.train.inputs.data",
		Msg: `unknown step "prep"`, Hint: `did you mean "prepare"?`}
	if *e != want {
		t.Errorf("error = %+v\nwant    %+v", *e, want)
	}
}

// TestParseManyProblems checks that a file full of mistakes lists the
// first 100 and counts the rest.
func TestParseManyProblems(t *testing.T) {
	var src strings.Builder
	src.WriteString("flow: x\nsteps:\n  a:\n    run: x\n    needs:\n")
	for i := range 150 {
		fmt.Fprintf(&src, "      - missing%d\n", i)
	}
	_, err := Parse("lockstep.yaml", []byte(src.String()), "")
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse: %v, want an ErrorList", err)
	}
	if len(list) != 101 {
		t.Fatalf("%d errors, want 100 and a count of the rest", len(list))
	}
	if got, want := list[0].Error(), `lockstep.yaml:6: steps.a.needs[0]: unknown step "missing0"`; got != want {
		t.Errorf("first error:\n got %s\nwant %s", got, want)
	}
	if got, want := list[100].Error(), "lockstep.yaml: 50 more problems not shown (fix the ones above first)"; got != want {
		t.Errorf("last error:\n got %s\nwant %s", got, want)
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"run", "run", 0}, {"", "abc", 3}, {"abc", "", 3},
		{"ouputs", "outputs", 1}, {"stpes", "steps", 1}, {"trian", "train", 1},
		{"kitten", "sitting", 3}, {"ca", "abc", 3}, {"prepar.train", "prepare.train", 1},
		{"données", "donnees", 1},
	}
	for _, tc := range tests {
		if got := distance(tc.a, tc.b); got != tc.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := distance(tc.b, tc.a); got != tc.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	steps := []string{"evaluate", "prepare", "train"}
	tests := []struct {
		word, want string
	}{
		{"prep", "prepare"}, // a prefix
		{"trian", "train"},  // swapped letters
		{"Train", "train"},  // case
		{"evalute", "evaluate"},
		{"deploy", ""}, // nothing close
		{"t", ""},      // one letter is too short to guess from
		{"train", ""},  // the word itself is no suggestion
	}
	for _, tc := range tests {
		if got := suggest(tc.word, steps); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

func TestFormatPolicies(t *testing.T) {
	for _, want := range []string{FormatDeny, FormatAllowSafe, FormatAllow, ""} {
		src := "flow: iris\nsteps:\n  a: {run: x}\n"
		if want != "" {
			src = "flow: iris\nformats: {pickle: " + want + "}\nsteps:\n  a: {run: x}\n"
		}
		f, err := Parse("lockstep.yaml", []byte(src), "")
		if err != nil {
			t.Fatalf("pickle %q: %v", want, err)
		}
		if want == "" {
			want = FormatDeny
		}
		if got := f.Formats["pickle"]; got != want {
			t.Errorf("formats.pickle = %q, want %q", got, want)
		}
	}
}
