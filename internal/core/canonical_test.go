package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// FuzzCanonicalJSON checks the one-pass canonical form against its
// definition: encode, decode into generic values, encode again. Any JSON
// can reach it inside a json.RawMessage.
func FuzzCanonicalJSON(f *testing.F) {
	for _, seed := range []string{
		`{"b":1,"a":"<x>","c":[3,1]}`,
		`{"a":{"z":null,"y":[{"k":"\u0041","j":true}]},"a":2}`,
		`["\u2028", "tab\t", "é", 1e400, -0, 1.50]`,
		`{"\u00e9":1,"e":2,"é":3,"\"q":4}`,
		`{ "x" : [ ] , "w" : { } }`,
		"\"\xe2\x80\xa8\"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		v := struct {
			Z   string          `json:"z"`
			Raw json.RawMessage `json:"raw"`
			A   int             `json:"a"`
		}{"z", data, 1}
		got, err := CanonicalJSON(v)
		if err != nil {
			t.Fatalf("CanonicalJSON: %v", err)
		}
		raw, err := marshalNoEscape(v)
		if err != nil {
			t.Fatal(err)
		}
		want, err := canonicalGeneric(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("canonical form of %q:\n got %s\nwant %s", data, got, want)
		}
	})
}

func TestCanonicalJSONMatchesItsDefinitionOnRecords(t *testing.T) {
	env := map[string]any{"packages": []map[string]string{}}
	for i := range 50 {
		env["packages"] = append(env["packages"].([]map[string]string), map[string]string{"version": fmt.Sprint(i), "name": fmt.Sprintf("p<%d>\n", i)})
	}
	rec := TaskRecord{Type: TaskType, Run: "r", Step: "s\u2028", Params: map[string]any{"lr": json.Number("0.10"), "b": []any{true, nil}}, Seed: 9007199254740993}
	for _, v := range []any{env, rec, []any{}, map[string]any{}, "x", 1.5} {
		got, err := CanonicalJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := marshalNoEscape(v)
		want, _ := canonicalGeneric(raw)
		if !bytes.Equal(got, want) {
			t.Errorf("%T:\n got %s\nwant %s", v, got, want)
		}
	}
}

func BenchmarkCanonicalJSON(b *testing.B) {
	type pkg struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Arch    string `json:"arch"`
	}
	pkgs := make([]pkg, 1000)
	for i := range pkgs {
		pkgs[i] = pkg{fmt.Sprintf("package-%d", i), "1.2.3-4", "amd64"}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CanonicalJSON(map[string]any{"os": pkgs}); err != nil {
			b.Fatal(err)
		}
	}
}
