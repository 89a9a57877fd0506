package flow

import (
	"reflect"
	"testing"
)

func TestParseParam(t *testing.T) {
	tests := []struct {
		kv    string
		name  string
		value any
	}{
		{"alpha=0.5", "alpha", 0.5},
		{"epochs=100", "epochs", int64(100)},
		{"epochs=-3", "epochs", int64(-3)},
		{"lr=1e-4", "lr", 1e-4},
		{"shuffle=true", "shuffle", true},
		{"shuffle=false", "shuffle", false},
		{"optimizer=adam", "optimizer", "adam"},
		{`tag="100"`, "tag", "100"},
		{"tag='true'", "tag", "true"},
		{"note=hello world", "note", "hello world"},
		{"expr=a=b", "expr", "a=b"},
		{"date=2024-01-01", "date", "2024-01-01"},
		{"empty=", "empty", ""},
		{"_x=1", "_x", int64(1)},
		{"huge=99999999999999999999", "huge", 1e20}, // too big for an integer: YAML makes it a float
	}
	for _, tc := range tests {
		name, value, err := ParseParam(tc.kv)
		if err != nil {
			t.Errorf("ParseParam(%q): %v", tc.kv, err)
			continue
		}
		if name != tc.name || value != tc.value {
			t.Errorf("ParseParam(%q) = %q, %#v; want %q, %#v", tc.kv, name, value, tc.name, tc.value)
		}
	}
}

func TestParseParamErrors(t *testing.T) {
	tests := map[string]string{
		"alpha":                    `--param "alpha": want NAME=VALUE, e.g. --param lr=0.1`,
		"=1":                       `--param "=1": invalid name "" (use letters, digits and "_", not starting with a digit)`,
		"1x=1":                     `--param "1x=1": invalid name "1x" (use letters, digits and "_", not starting with a digit)`,
		"big=18446744073709551615": `--param "big=18446744073709551615": integer 18446744073709551615 does not fit in 64 bits`,
		"inf=.inf":                 `--param "inf=.inf": want a finite number, got .inf`,
		"l=[1, 2]":                 `--param "l=[1, 2]": want a string, number or true/false, got a list (quote it to pass a string: l='"[1, 2]"')`,
		"m=a: b":                   `--param "m=a: b": want a string, number or true/false, got a mapping (quote it to pass a string: m='"a: b"')`,
		"c=5 # five":               `--param "c=5 # five": want a string, number or true/false, got "5" (quote it to pass a string: c='"5 # five"')`,
		"n=null":                   `--param "n=null": want a string, number or true/false, got nothing (quote it to pass a string: n='"null"')`,
		"bad={unclosed":            `--param "bad={unclosed": value is not a YAML scalar (quote it to pass a string: bad='"{unclosed"')`,
	}
	for kv, want := range tests {
		_, _, err := ParseParam(kv)
		if err == nil {
			t.Errorf("ParseParam(%q) succeeded, want error %s", kv, want)
		} else if err.Error() != want {
			t.Errorf("ParseParam(%q) error:\n got %s\nwant %s", kv, err, want)
		}
	}
}

func TestResolveParams(t *testing.T) {
	f, err := Parse("lockstep.yaml", []byte(`
flow: x
params: {epochs: 100, lr: 0.1, name: base}
steps:
  a: {run: x, params: {epochs: 5, rows: 10}}
  b: {run: x}
`), "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		step      string
		overrides map[string]any
		want      map[string]any
	}{
		{"b", nil, map[string]any{"epochs": int64(100), "lr": 0.1, "name": "base"}},
		{"a", nil, map[string]any{"epochs": int64(5), "lr": 0.1, "name": "base", "rows": int64(10)}},
		{"a", map[string]any{"epochs": int64(7), "extra": true}, map[string]any{"epochs": int64(7), "lr": 0.1, "name": "base", "rows": int64(10), "extra": true}},
		// An integer given for a float parameter becomes a float.
		{"b", map[string]any{"lr": int64(1)}, map[string]any{"epochs": int64(100), "lr": 1.0, "name": "base"}},
		{"missing", map[string]any{"x": "y"}, map[string]any{"epochs": int64(100), "lr": 0.1, "name": "base", "x": "y"}},
	}
	for _, tc := range tests {
		if got := f.ResolveParams(tc.step, tc.overrides); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ResolveParams(%q, %v) = %#v\nwant %#v", tc.step, tc.overrides, got, tc.want)
		}
	}
	// Resolving must not change the flow.
	if f.Params["lr"] != 0.1 || len(f.Params) != 3 {
		t.Errorf("flow params changed to %v", f.Params)
	}
}
