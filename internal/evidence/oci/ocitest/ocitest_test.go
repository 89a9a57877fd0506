package ocitest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

var client = &http.Client{Timeout: 30 * time.Second}

// kinds are every registry, each with whether it serves the referrers API.
var kinds = []struct {
	kind      Kind
	referrers bool
}{{Referrers, true}, {TagFallback, false}, {DistributionV3, false}}

func digestOf(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

// do sends a request to the registry and returns the response and up to
// 1 MiB of its body.
func do(t *testing.T, method, url, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp, b
}

// pushBlob uploads b monolithically (POST, then PUT with the digest) and
// returns its digest.
func pushBlob(t *testing.T, r *Registry, repo string, b []byte) string {
	t.Helper()
	resp, body := do(t, http.MethodPost, "http://"+r.Host+"/v2/"+repo+"/blobs/uploads/", "", nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("start upload: %s %s", resp.Status, body)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("start upload: %v", err)
	}
	d := digestOf(b)
	q := loc.Query()
	q.Set("digest", d)
	loc.RawQuery = q.Encode()
	resp, body = do(t, http.MethodPut, loc.String(), "application/octet-stream", b)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("finish upload: %s %s", resp.Status, body)
	}
	return d
}

// pushManifest puts m under ref and returns the response and its digest.
func pushManifest(t *testing.T, r *Registry, repo, ref string, m []byte) (*http.Response, string) {
	t.Helper()
	resp, body := do(t, http.MethodPut, "http://"+r.Host+"/v2/"+repo+"/manifests/"+ref, "application/vnd.oci.image.manifest.v1+json", m)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("push manifest %s: %s %s", ref, resp.Status, body)
	}
	return resp, digestOf(m)
}

const emptyConfig = "application/vnd.oci.empty.v1+json"

// manifest is an OCI image manifest of one layer with the empty config,
// with an artifactType and, when subject is not "", a subject.
func manifest(artifactType, layer string, layerSize int, subject string, subjectSize int) []byte {
	m := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"artifactType":  artifactType,
		"config":        map[string]any{"mediaType": emptyConfig, "digest": digestOf([]byte("{}")), "size": 2},
		"layers":        []any{map[string]any{"mediaType": "application/octet-stream", "digest": layer, "size": layerSize}},
	}
	if subject != "" {
		m["subject"] = map[string]any{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": subject, "size": subjectSize}
	}
	b, _ := json.Marshal(m)
	return b
}

// A model pushed as blobs and a tagged manifest comes back byte for byte
// from every registry; a referrer pushed with a subject is listed by the
// referrers API where there is one, and the API is absent (404) where the
// design says it is.
func TestPushPullReferrers(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.kind.String(), func(t *testing.T) {
			r := Start(t, k.kind)
			t.Logf("%s at %s %s", k.kind, r.Host, r.Version)
			const repo = "team/model"
			weights := []byte("model weights")
			pushBlob(t, r, repo, []byte("{}"))
			layer := pushBlob(t, r, repo, weights)
			m := manifest("application/vnd.example.model", layer, len(weights), "", 0)
			_, md := pushManifest(t, r, repo, "v1", m)

			resp, got := do(t, http.MethodGet, "http://"+r.Host+"/v2/"+repo+"/blobs/"+layer, "", nil)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, weights) {
				t.Fatalf("GET blob: %s %q, want 200 %q", resp.Status, got, weights)
			}
			req, _ := http.NewRequest(http.MethodGet, "http://"+r.Host+"/v2/"+repo+"/manifests/v1", nil)
			req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
			mresp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ = io.ReadAll(io.LimitReader(mresp.Body, 1<<20))
			mresp.Body.Close()
			if mresp.StatusCode != http.StatusOK || !bytes.Equal(got, m) || mresp.Header.Get("Docker-Content-Digest") != md {
				t.Fatalf("GET manifest v1: %s digest %q %s, want 200 digest %s %s", mresp.Status, mresp.Header.Get("Docker-Content-Digest"), got, md, m)
			}

			sig := []byte("signature")
			sigLayer := pushBlob(t, r, repo, sig)
			ref := manifest("application/vnd.example.signature", sigLayer, len(sig), md, len(m))
			_, refDigest := pushManifest(t, r, repo, digestOf(ref), ref)

			resp, body := do(t, http.MethodGet, "http://"+r.Host+"/v2/"+repo+"/referrers/"+md, "", nil)
			if !k.referrers {
				if resp.StatusCode != http.StatusNotFound {
					t.Fatalf("GET referrers on a registry without the API: %s %s, want 404", resp.Status, body)
				}
				return
			}
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.oci.image.index.v1+json" {
				t.Fatalf("GET referrers: %s %s %s, want 200 and an image index", resp.Status, resp.Header.Get("Content-Type"), body)
			}
			var index struct {
				Manifests []struct {
					Digest, MediaType, ArtifactType string
				}
			}
			if err := json.Unmarshal(body, &index); err != nil {
				t.Fatalf("referrers index: %v: %s", err, body)
			}
			if len(index.Manifests) != 1 || index.Manifests[0].Digest != refDigest {
				t.Fatalf("referrers of %s = %s, want only %s", md, body, refDigest)
			}
			// The limit the package doc states: the config's media type
			// stands for the manifest's artifactType.
			if index.Manifests[0].ArtifactType != emptyConfig {
				t.Fatalf("referrer's artifactType = %q, want %q (the config media type); update the package doc", index.Manifests[0].ArtifactType, emptyConfig)
			}
		})
	}
}

// Bytes altered at BlobPath are what the registry keeps: a distribution
// registry serves them as they are, go-containerregistry's refuses the
// blob.
func TestBlobPathTamper(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.kind.String(), func(t *testing.T) {
			r := Start(t, k.kind)
			weights := []byte("model weights")
			d := pushBlob(t, r, "team/model", weights)
			p := r.BlobPath(d)
			on, err := os.ReadFile(p)
			if err != nil || !bytes.Equal(on, weights) {
				t.Fatalf("BlobPath(%s) = %s: %q %v, want the pushed bytes", d, p, on, err)
			}
			tampered := bytes.ToUpper(weights)
			if err := os.WriteFile(p, tampered, 0o644); err != nil {
				t.Fatal(err)
			}
			resp, got := do(t, http.MethodGet, "http://"+r.Host+"/v2/team/model/blobs/"+d, "", nil)
			if k.kind == Referrers {
				if resp.StatusCode != http.StatusNotFound {
					t.Fatalf("GET tampered blob: %s %q, want 404", resp.Status, got)
				}
				return
			}
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, tampered) {
				t.Fatalf("GET tampered blob: %s %q, want 200 %q", resp.Status, got, tampered)
			}
		})
	}
}

// After Stop the registry refuses connections, as an unreachable one does.
func TestStop(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.kind.String(), func(t *testing.T) {
			r := Start(t, k.kind)
			r.Stop()
			r.Stop()
			resp, err := client.Get("http://" + r.Host + "/v2/")
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET /v2/ after Stop: %s, want a refused connection", resp.Status)
			}
			if !strings.Contains(err.Error(), "refused") {
				t.Fatalf("GET /v2/ after Stop: %v, want a refused connection", err)
			}
		})
	}
}
