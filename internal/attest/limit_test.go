package attest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// TestBadValuesAreNotEchoed: a huge bad field in a bundle comes back in
// the error as a short prefix, never whole.
func TestBadValuesAreNotEchoed(t *testing.T) {
	s := testSigner(t, "")
	big := strings.Repeat("A", 1<<20)
	good, d := signedStatement(t, s, "a", []byte("artifact"))
	var m map[string]any
	json.Unmarshal(good, &m)
	env := m["dsseEnvelope"].(map[string]any)
	env["payloadType"] = big
	badType, _ := json.Marshal(m)
	m["mediaType"] = big
	badMedia, _ := json.Marshal(m)
	cases := map[string][]byte{
		"payload type": badType,
		"media type":   badMedia,
		"envelope":     []byte(`{"payloadType":"` + big + `","payload":"e30=","signatures":[{"sig":"AAAA"}]}`),
		"digest":       []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"` + b64(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"`+big+`"}}],"predicateType":"x"}`) + `","signatures":[{"sig":"AAAA"}]}`),
	}
	for name, b := range cases {
		_, err := Verify(b, []*PublicKey{s.PublicKey}, d)
		if err == nil {
			t.Errorf("%s: verified", name)
			continue
		}
		if n := len(err.Error()); n > 1000 {
			t.Errorf("%s: the error is %d bytes long: %.200s…", name, n, err)
		}
	}
}

func TestOversizedBundleIsRefused(t *testing.T) {
	s := testSigner(t, "")
	_, d := signedStatement(t, s, "a", []byte("artifact"))
	b := make([]byte, MaxBundleSize+1)
	_, err := Verify(b, []*PublicKey{s.PublicKey}, d)
	if !errors.Is(err, core.ErrTooLarge) || !errors.Is(err, ErrMalformed) || len(err.Error()) > 200 {
		t.Fatalf("oversized bundle: %v", err)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
