package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	v3 "github.com/spdx/tools-golang/spdx/v3/v3_0"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// spdx3Schema is the SPDX 3.0.1 JSON schema. Its IRI pattern holds a
// negative lookahead, which Go's RE2 engine cannot compile: its patterns
// are ECMAScript regular expressions, as JSON Schema specifies, compiled
// by regexp2 in ECMAScript mode.
var spdx3Schema = &jsonSchema{name: "SPDX 3.0.1", base: "https://spdx.org/schema/3.0.1/", files: []string{"spdx-json-schema-3.0.1.json"},
	regexp: func(s string) (jsonschema.Regexp, error) {
		re, err := regexp2.Compile(s, regexp2.ECMAScript)
		if err != nil {
			return nil, err
		}
		return ecmaRegexp{re}, nil
	}}

type ecmaRegexp struct{ re *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, err := r.re.MatchString(s)
	return ok && err == nil
}

func (r ecmaRegexp) String() string { return r.re.String() }

// spdx3Graph is an SPDX 3 document as generic objects by spdxId.
type spdx3Graph struct {
	byID map[string]map[string]any
	all  []map[string]any
}

// checkSPDX3 validates b against the SPDX 3.0.1 JSON schema, reads it
// with tools-golang (an independent SPDX 3 implementation) and has it
// validate the object graph, and checks that every relationship names
// elements of the document.
func checkSPDX3(t *testing.T, b []byte) spdx3Graph {
	t.Helper()
	spdx3Schema.validate(t, b)
	var doc v3.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("tools-golang cannot read the SPDX 3 document: %v", err)
	}
	if err := doc.Validate(false); err != nil {
		t.Fatalf("tools-golang finds the SPDX 3 document invalid: %v", err)
	}
	if doc.CreationInfo == nil || doc.CreationInfo.GetSpecVersion() != "3.0.1" || len(doc.RootElements) != 1 {
		t.Fatalf("tools-golang reads document %q: creation info %+v, root elements %v", doc.ID, doc.CreationInfo, doc.RootElements)
	}
	read := map[string]string{} // purl: name, as tools-golang reads them
	for _, e := range doc.Elements {
		p, ok := e.(*v3.Package)
		if !ok {
			continue
		}
		id := p.ID // "env:…", expanded through the document's namespace map
		for _, m := range doc.NamespaceMaps {
			if rest, ok := strings.CutPrefix(id, m.GetPrefix()+":"); ok {
				id = string(m.GetNamespace()) + rest
			}
		}
		if !strings.HasPrefix(id, doc.ID+"/") {
			t.Errorf("tools-golang reads package %s, not under the document %s", p.ID, doc.ID)
		}
		if p.PackageURL != "" {
			read[string(p.PackageURL)] = p.Name
		}
	}
	var raw struct {
		Context string           `json:"@context"`
		Graph   []map[string]any `json:"@graph"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	g := spdx3Graph{byID: map[string]map[string]any{}, all: raw.Graph}
	for _, o := range raw.Graph {
		if id, _ := o["spdxId"].(string); id != "" {
			if g.byID[id] != nil {
				t.Errorf("two elements %s", id)
			}
			g.byID[id] = o
		}
	}
	for _, o := range raw.Graph {
		if o["type"] != "Relationship" {
			continue
		}
		if g.byID[o["from"].(string)] == nil {
			t.Errorf("relationship %v from an element not in the document", o["spdxId"])
		}
		for _, to := range o["to"].([]any) {
			if g.byID[to.(string)] == nil {
				t.Errorf("relationship %v to %v, not in the document", o["spdxId"], to)
			}
		}
	}
	purls, _ := g.packages()
	if len(read) != len(purls) {
		t.Errorf("tools-golang reads %d packages with a purl, the JSON holds %d", len(read), len(purls))
	}
	for purl, o := range purls {
		if read[purl] != o["name"] {
			t.Errorf("tools-golang reads %s as %q, the JSON names it %v", purl, read[purl], o["name"])
		}
	}
	return g
}

// packages lists the document's packages by package URL and their
// relationships as "from-name type to-name".
func (g spdx3Graph) packages() (purls map[string]map[string]any, rels map[string]bool) {
	purls, rels = map[string]map[string]any{}, map[string]bool{}
	for _, o := range g.all {
		switch o["type"] {
		case "software_Package":
			if p, _ := o["software_packageUrl"].(string); p != "" {
				purls[p] = o
			}
		case "Relationship":
			for _, to := range o["to"].([]any) {
				rels[g.byID[o["from"].(string)]["name"].(string)+" "+o["relationshipType"].(string)+" "+g.byID[to.(string)]["name"].(string)] = true
			}
		}
	}
	return purls, rels
}

func TestSPDX3Debian(t *testing.T) {
	env, d := debian(t)
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	b, err := SPDX3(env, d, created)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := SPDX3(env, d, created); !bytes.Equal(b, again) {
		t.Error("two SPDX 3 SBOMs of one environment differ")
	}
	purls, rels := checkSPDX3(t, b).packages()

	// The same components as the CycloneDX SBOM of the environment.
	c, err := CycloneDX(env, d)
	if err != nil {
		t.Fatal(err)
	}
	var cdx cdxDoc
	json.Unmarshal(c, &cdx)
	n := 0
	for _, comp := range cdx.Components {
		if comp.PURL == "" {
			continue
		}
		n++
		if p := purls[comp.PURL]; p == nil || p["name"] != comp.Name {
			t.Errorf("CycloneDX lists %s (%s); SPDX 3 has %v", comp.PURL, comp.Name, p)
		}
	}
	if n != len(purls) || n < 100 {
		t.Errorf("%d packages with a purl in SPDX 3, %d in CycloneDX", len(purls), n)
	}
	for _, want := range []string{"scipy dependsOn numpy", "python3-numpy dependsOn python3", "environment contains python",
		"environment contains debian", "debian contains libc6", "python contains numpy"} {
		if !rels[want] {
			t.Errorf("no relationship %q", want)
		}
	}
	if !strings.Contains(string(b), `"created":"2024-01-02T03:04:05Z"`) {
		t.Error("creation time not stamped")
	}
}

// TestSPDX3Small checks the document's frame on a small environment: the
// environment record's digest and a wheel's as verifiedUsing hashes, the
// hardware, and ids derived from what each element is.
func TestSPDX3Small(t *testing.T) {
	env, _, _ := smallEnv(t)
	env.GPUs = []capture.GPU{{Name: "NVIDIA A100", Driver: "550.54", MemoryBytes: 40 << 30}}
	env.Interpreter.Archives = map[string]string{"numpy": "sha256:" + strings.Repeat("ab", 32)}
	_, d, _ := core.DigestJSON(env)
	b, err := SPDX3(env, d, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	g := checkSPDX3(t, b)
	base := "https://lockstep.dev/spdx/environment/" + d.Hex()
	numpy := g.byID["env:pypi/numpy"]
	if numpy == nil || numpy["software_packageUrl"] != "pkg:pypi/numpy@1.24.2" {
		t.Fatalf("numpy: %v", numpy)
	}
	if h, _ := json.Marshal(numpy["verifiedUsing"]); string(h) != `[{"algorithm":"sha256","hashValue":"`+strings.Repeat("ab", 32)+`","type":"Hash"}]` {
		t.Errorf("numpy verified using %s", h)
	}
	if e := g.byID["env:environment"]; e == nil || !strings.Contains(fmtJSON(e["verifiedUsing"]), d.Hex()) {
		t.Errorf("environment: %v", e)
	}
	for id, purpose := range map[string]string{"env:cpu": "device", "env:gpu/0": "device", "env:gpu-driver/0": "deviceDriver",
		"env:os": "operatingSystem", "env:interpreter": "application", "env:dpkg/libc6/amd64": "library"} {
		if o := g.byID[id]; o == nil || o["software_primaryPurpose"] != purpose {
			t.Errorf("%s: %v, want purpose %s", id, o, purpose)
		}
	}
	_, rels := g.packages()
	if !rels["NVIDIA A100 dependsOn nvidia-driver"] || !rels["environment contains NVIDIA A100"] {
		t.Errorf("relationships %v", rels)
	}
	if doc := g.byID[base]; doc == nil || doc["type"] != "SpdxDocument" || fmtJSON(doc["rootElement"]) != `["env:sbom"]` || fmtJSON(doc["namespaceMap"]) != `[{"namespace":"`+base+`/","prefix":"env","type":"NamespaceMap"}]` {
		t.Errorf("document %v", doc)
	}
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestSPDX3HostileStrings: package names meant to break out of an IRI, a
// purl or a JSON string stay inside their element, and the document is
// still valid.
func TestSPDX3HostileStrings(t *testing.T) {
	env := hostile()
	_, d, _ := core.DigestJSON(env)
	b, err := SPDX3(env, d, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	g := checkSPDX3(t, b)
	for id := range g.byID {
		if id != "https://lockstep.dev/spdx/environment/"+d.Hex() && (!strings.HasPrefix(id, "env:") || strings.ContainsAny(id, "\x1b\"<>? #\u202e")) {
			t.Errorf("element id %q", id)
		}
	}
	modified := false
	for _, o := range g.all {
		c, _ := o["comment"].(string)
		modified = modified || strings.Contains(c, "lockstep:file:modified: /x\n/y expected sha256:1 actual sha256:2")
	}
	if !modified {
		t.Error("the modified file is not on its package")
	}
}

// TestSPDX3SchemaRejects shows the schema check can fail: a document
// missing its creation time, or with a relationship type SPDX 3 does not
// have, is refused.
func TestSPDX3SchemaRejects(t *testing.T) {
	env, _, d := smallEnv(t)
	b, _ := SPDX3(env, d, time.Unix(0, 0))
	for name, bad := range map[string][]byte{
		"no creation time":        bytes.Replace(b, []byte(`"created":"1970-01-01T00:00:00Z",`), nil, 1),
		"unknown relationship":    bytes.Replace(b, []byte(`"relationshipType":"contains"`), []byte(`"relationshipType":"includes"`), 1),
		"unknown package purpose": bytes.Replace(b, []byte(`"software_primaryPurpose":"library"`), []byte(`"software_primaryPurpose":"LIBRARY"`), 1),
	} {
		if bytes.Equal(bad, b) {
			t.Fatalf("%s: nothing replaced", name)
		}
		if err := spdx3Schema.check(bad); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// TestSPDX3Size renders an environment of 5,000 distributions and 5,000
// OS packages, each depending on the one before: the SPDX 3 document
// stays within twice the size of the CycloneDX one (ids are short under
// the namespace map), and rendering it takes under 5 seconds (under one
// here).
func TestSPDX3Size(t *testing.T) {
	env, _, _ := smallEnv(t)
	env.Interpreter.Packages, env.OSPackages.Packages = nil, nil
	env.Interpreter.Requires, env.OSPackages.Depends = map[string][]string{}, map[string][]string{}
	for i := range 5000 {
		name := fmt.Sprintf("package-%d", i)
		env.Interpreter.Packages = append(env.Interpreter.Packages, capture.Package{Name: name, Version: "1.0." + strconv.Itoa(i)})
		env.OSPackages.Packages = append(env.OSPackages.Packages, capture.Package{Name: "lib" + name, Version: "2.0-" + strconv.Itoa(i), Arch: "amd64"})
		if i > 0 {
			env.Interpreter.Requires[name] = []string{fmt.Sprintf("package-%d", i-1)}
			env.OSPackages.Depends["lib"+name] = []string{fmt.Sprintf("libpackage-%d", i-1)}
		}
	}
	_, d, _ := core.DigestJSON(env)
	start := time.Now()
	c, err := CycloneDX(env, d)
	if err != nil {
		t.Fatal(err)
	}
	mid := time.Now()
	s3, err := SPDX3(env, d, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(mid)
	s2, _ := SPDX(env, d, time.Unix(0, 0))
	t.Logf("10,000 packages: CycloneDX %d bytes in %v, SPDX 2.3 %d bytes, SPDX 3 %d bytes in %v", len(c), mid.Sub(start), len(s2), len(s3), took)
	if len(s3) > 2*len(c) || took > 5*time.Second {
		t.Errorf("SPDX 3 of 10,000 packages: %d bytes (CycloneDX %d) in %v", len(s3), len(c), took)
	}
}
