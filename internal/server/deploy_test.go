package server

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDeployManifests checks the shipped Kubernetes manifests say what
// docs/admission.md promises and match the webhook's paths and names.
func TestDeployManifests(t *testing.T) {
	docs := map[string]map[string]any{}
	files, _ := filepath.Glob("../../deploy/*.yaml")
	if len(files) == 0 {
		t.Fatal("no manifests in deploy/")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			docs[doc["kind"].(string)] = doc
		}
	}
	wh := docs["ValidatingWebhookConfiguration"]["webhooks"].([]any)[0].(map[string]any)
	svc := wh["clientConfig"].(map[string]any)["service"].(map[string]any)
	sel := wh["namespaceSelector"].(map[string]any)["matchLabels"].(map[string]any)
	checks := map[string]bool{
		"failurePolicy Fail":         wh["failurePolicy"] == "Fail",
		"sideEffects None":           wh["sideEffects"] == "None",
		"admissionReviewVersions v1": len(wh["admissionReviewVersions"].([]any)) == 1 && wh["admissionReviewVersions"].([]any)[0] == "v1",
		"path /validate":             svc["path"] == "/validate",
		"service name":               svc["name"] == docs["Service"]["metadata"].(map[string]any)["name"],
		"enforce label selector":     sel["lockstep.dev/enforce"] == "true",
		"serves admission":           strings.Contains(strings.Join(toStrings(docs["Deployment"]["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["args"].([]any)), " "), "admission serve --policy="),
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("deploy manifests: %s does not hold", name)
		}
	}
	ann := docs["Pod"]["metadata"].(map[string]any)["annotations"].(map[string]any)
	for k := range ann {
		if !strings.HasPrefix(k, ModelAnnotationPrefix) {
			t.Errorf("example pod annotation %s is not a model reference", k)
		}
	}
}

func toStrings(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i], _ = x.(string)
	}
	return out
}
