package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

var (
	debianOnce sync.Once
	debianEnv  *capture.Environment
	debianErr  error
)

// debian captures the environment of Debian's python3 once (its numpy,
// scikit-learn and dpkg packages are what the tests look for).
func debian(t *testing.T) (*capture.Environment, core.Digest) {
	t.Helper()
	if _, err := os.Stat("/usr/lib/python3/dist-packages/numpy"); err != nil {
		t.Skip("Debian's python3-numpy is not installed")
	}
	debianOnce.Do(func() {
		debianEnv, debianErr = capture.Capture(context.Background(), capture.Options{Command: "/usr/bin/python3 -c pass",
			PATH: "/usr/bin:/bin", Env: map[string]string{"PATH": "/usr/bin:/bin"}, CacheDir: ""})
	})
	if debianErr != nil {
		t.Fatal(debianErr)
	}
	_, d, err := core.DigestJSON(debianEnv)
	if err != nil {
		t.Fatal(err)
	}
	return debianEnv, d
}

// jsonSchema is an official JSON schema vendored in testdata/schema: the
// files it is made of, registered under the URLs the schemas reference
// each other by, and the one documents are checked against.
type jsonSchema struct {
	name  string   // what a failure calls it: "CycloneDX 1.6"
	base  string   // URL the files are registered under
	files []string // in testdata/schema; the first is the root
	// regexp compiles the schema's patterns, when Go's RE2 syntax cannot
	// (nil: the default engine).
	regexp jsonschema.RegexpEngine

	once   sync.Once
	schema *jsonschema.Schema
	err    error
}

var cycloneDXSchema = &jsonSchema{name: "CycloneDX 1.6", base: "http://cyclonedx.org/schema/",
	files: []string{"bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"}}

var spdx23Schema = &jsonSchema{name: "SPDX 2.3", base: "http://spdx.org/rdf/terms/", files: []string{"spdx-schema-2.3.json"}}

// validate fails the test unless document b is valid under the schema.
func (s *jsonSchema) validate(t *testing.T, b []byte) {
	t.Helper()
	if err := s.check(b); err != nil {
		t.Fatal(err)
	}
}

// check validates document b against the schema, compiled on first use.
func (s *jsonSchema) check(b []byte) error {
	s.once.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if s.regexp != nil {
			c.UseRegexpEngine(s.regexp)
		}
		for _, name := range s.files {
			f, err := os.Open(filepath.Join("testdata", "schema", name))
			if err != nil {
				s.err = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(f)
			f.Close()
			if err == nil {
				err = c.AddResource(s.base+name, doc)
			}
			if err != nil {
				s.err = err
				return
			}
		}
		s.schema, s.err = c.Compile(s.base + s.files[0])
	})
	if s.err != nil {
		return fmt.Errorf("load %s schema: %w", s.name, s.err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("SBOM is not JSON: %w", err)
	}
	if err := s.schema.Validate(inst); err != nil {
		return fmt.Errorf("SBOM does not validate against %s: %w", s.name, err)
	}
	return nil
}

// validateCycloneDX checks b against the official CycloneDX 1.6 schema.
func validateCycloneDX(t *testing.T, b []byte) {
	t.Helper()
	cycloneDXSchema.validate(t, b)
}

type cdxDoc struct {
	SerialNumber string `json:"serialNumber"`
	Components   []struct {
		Ref        string `json:"bom-ref"`
		Type       string `json:"type"`
		Name       string `json:"name"`
		PURL       string `json:"purl"`
		Properties []struct{ Name, Value string }
	} `json:"components"`
	Dependencies []struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	} `json:"dependencies"`
}

func TestCycloneDXDebian(t *testing.T) {
	env, d := debian(t)
	b, err := CycloneDX(env, d)
	if err != nil {
		t.Fatal(err)
	}
	validateCycloneDX(t, b)
	again, _ := CycloneDX(env, d)
	if !bytes.Equal(b, again) {
		t.Error("two SBOMs of one environment differ")
	}
	var doc cdxDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	purls := map[string]bool{}
	for _, c := range doc.Components {
		purls[c.PURL] = true
	}
	var numpy, libc string
	for _, p := range env.Interpreter.Packages {
		if p.Name == "numpy" {
			numpy = "pkg:pypi/numpy@" + p.Version
		}
	}
	for _, p := range env.OSPackages.Packages {
		if p.Name == "libc6" {
			libc = "pkg:deb/debian/libc6@" + escape(p.Version) + "?arch=" + p.Arch + "&distro=debian-" + env.OS.VersionID
		}
	}
	for _, want := range []string{numpy, libc, "pkg:generic/python@" + env.Interpreter.Version} {
		if !purls[want] {
			t.Errorf("no component %q", want)
		}
	}
	deps := map[string][]string{}
	for _, dep := range doc.Dependencies {
		deps[dep.Ref] = dep.DependsOn
	}
	if !contains(deps["pypi:scipy"], "pypi:numpy") {
		t.Errorf("scipy depends on %v; want numpy among them", deps["pypi:scipy"])
	}
	if !contains(deps["dpkg:python3-numpy:amd64"], "dpkg:python3:amd64") {
		t.Errorf("python3-numpy depends on %v; want python3", deps["dpkg:python3-numpy:amd64"])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hostile is an environment whose package metadata holds strings meant to
// break out of a purl, a JSON string or a terminal.
func hostile() *capture.Environment {
	name := "evil\x1b[31m/../x?arch=any#frag@1 \"<script>\u202e"
	return &capture.Environment{Type: capture.EnvironmentType, OS: capture.OSInfo{ID: "debian", VersionID: "12"},
		OSPackages: &capture.PackageSet{Manager: "dpkg", Packages: []capture.Package{{Name: name, Version: "1:2+x&y=z", Arch: "amd64"}},
			Depends: map[string][]string{name: {name, "missing"}}},
		Interpreter: &capture.Interpreter{Kind: "python", Version: "3.11", Packages: []capture.Package{{Name: name, Version: "@1?"}, {Name: "ok", Version: "1"}},
			Requires: map[string][]string{"ok": {name}}, Archives: map[string]string{"ok": "sha256:" + strings.Repeat("ab", 32)}},
		Files: &capture.FileCheck{Files: 2, Packages: 1, Modified: []capture.ChangedFile{{Manager: "pip", Package: name, Path: "/x\n/y", Expected: "sha256:1", Actual: "sha256:2"}}},
	}
}

func TestHostileStrings(t *testing.T) {
	doc, _ := bothSBOMs(t, hostile()) // both valid against their schemas
	purlShape := regexp.MustCompile(`^pkg:[a-z]+/([A-Za-z0-9._~%-]+/)?[A-Za-z0-9._~%-]+(@[A-Za-z0-9._~%-]+)?(\?[a-z]+=[A-Za-z0-9._~%-]+(&[a-z]+=[A-Za-z0-9._~%-]+)*)?$`)
	modified := false
	for _, c := range doc.Components {
		if c.PURL != "" && !purlShape.MatchString(c.PURL) {
			t.Errorf("purl %q lets the name out", c.PURL)
		}
		for _, p := range c.Properties {
			modified = modified || p.Name == "lockstep:file:modified" && strings.Contains(p.Value, "expected sha256:1 actual sha256:2")
		}
	}
	if !modified {
		t.Error("the modified file is not on its component")
	}
}

func TestSPDXDebian(t *testing.T) {
	env, d := debian(t)
	b, err := SPDX(env, d, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSPDX(t, b)
	found := false
	for _, p := range doc.Packages {
		for _, r := range p.ExternalRefs {
			found = found || strings.HasPrefix(r.Locator, "pkg:pypi/scikit-learn@")
		}
	}
	if !found {
		t.Error("no scikit-learn package")
	}
	types := map[string]int{}
	for _, r := range doc.Relationships {
		types[r.Type]++
	}
	// The environment contains the OS, the interpreter, the CPU and the
	// GPUs; the OS its packages, the interpreter its distributions;
	// packages depend on each other.
	if types["CONTAINS"] != 3+len(env.GPUs)+len(env.OSPackages.Packages)+len(env.Interpreter.Packages) || types["DEPENDS_ON"] < 100 || types["DESCRIBES"] != 1 {
		t.Errorf("relationships by type: %v", types)
	}
}

// checkSPDX validates a document against the official SPDX 2.3 schema
// and checks what the schema cannot: identifiers unique, every
// relationship naming an element of the document.
func checkSPDX(t *testing.T, b []byte) spdxDoc {
	t.Helper()
	spdx23Schema.validate(t, b)
	var doc spdxDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SPDXVersion != "SPDX-2.3" || doc.DataLicense != "CC0-1.0" || doc.SPDXID != "SPDXRef-DOCUMENT" || doc.Name == "" ||
		!strings.HasPrefix(doc.DocumentNamespace, "https://") || doc.CreationInfo.Created == "" || len(doc.CreationInfo.Creators) == 0 {
		t.Fatalf("document header %+v", doc)
	}
	if _, err := time.Parse(time.RFC3339, doc.CreationInfo.Created); err != nil {
		t.Errorf("created %q", doc.CreationInfo.Created)
	}
	id := regexp.MustCompile(`^SPDXRef-[A-Za-z0-9.-]+$`)
	ids := map[string]bool{"SPDXRef-DOCUMENT": true}
	for _, p := range doc.Packages {
		if !id.MatchString(p.SPDXID) || ids[p.SPDXID] || p.Name == "" || p.DownloadLocation == "" {
			t.Errorf("package %+v", p)
		}
		ids[p.SPDXID] = true
	}
	for _, r := range doc.Relationships {
		if !ids[r.Element] || !ids[r.Related] {
			t.Errorf("relationship %+v names an element not in the document", r)
		}
	}
	return doc
}
