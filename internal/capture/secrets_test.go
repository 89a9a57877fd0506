package capture

import (
	"strings"
	"testing"
)

// secretShapesForTest are credentials of every shape the value heuristic
// knows, under names that do not look secret.
var secretShapesForTest = map[string]string{
	"HF_HOME_X": "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
	"GH_X":      "ghp_0123456789abcdefghijABCDEFGHIJ012345",
	"GH_FINE":   "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
	"AWS_ID":    "AKIAIOSFODNN7EXAMPLE",
	"OPENAI":    "sk-proj-0123456789abcdefABCDEF",
	"SLACK":     "xoxb-123456789012-abcdefABCDEF",
	"HEADER":    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
	"PEM":       "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----",
	"RSA_PEM":   "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
}

func TestRedactSealsSecrets(t *testing.T) {
	secrets := Secrets{Names: []string{"PLAIN_LOOKING"}, Key: []byte("0123456789abcdef0123456789abcdef")}
	sealed := func(v string) string { return secrets.seal(v) }
	tests := []struct{ name, value, want string }{
		{"AWS_SECRET_ACCESS_KEY", "s3cr3t", sealed("s3cr3t")},
		{"DB_PASS", "hunter2", sealed("hunter2")},
		{"HF_AUTH", "v1", sealed("v1")},
		{"GOOGLE_APPLICATION_CREDENTIALS", "/k.json", sealed("/k.json")},
		{"SIGNING_PRIVATE", "p", sealed("p")},
		{"SESSION_ID", "abc", sealed("abc")},
		{"browser_cookie", "c=1", sealed("c=1")},
		{"DATABASE_DSN", "host=db user=u password=x", sealed("host=db user=u password=x")},
		{"MySecretThing", "v", sealed("v")},
		{"PLAIN_LOOKING", "declared", sealed("declared")},
		{"GIT_AUTHOR_NAME", "Ada", "Ada"},
		{"OMP_NUM_THREADS", "4", "4"},
		{"HTTPS_PROXY", "http://bob:pa55@proxy:3128", "http://bob:" + sealed("pa55") + "@proxy:3128"},
		{"DATABASE_URL", "postgres://app:pw@db:5432/x", "postgres://app:" + sealed("pw") + "@db:5432/x"},
		{"PIP_INDEX_URL", "https://user@pypi.example/simple", "https://user@pypi.example/simple"},
		{"MIRRORS", "http://a:b@x, https://c:d@y/p", "http://a:" + sealed("b") + "@x, https://c:" + sealed("d") + "@y/p"},
		{"EMAIL", "ada@example.org", "ada@example.org"},
		{"GIT_SHA", "0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567"},
	}
	env := map[string]string{}
	for _, tt := range tests {
		env[tt.name] = tt.value
	}
	for name, value := range secretShapesForTest {
		env[name] = value
		tests = append(tests, struct{ name, value, want string }{name, value, sealed(value)})
	}
	got := secrets.Redact(env)
	for _, tt := range tests {
		if got[tt.name] != tt.want {
			t.Errorf("%s=%q recorded as %q, want %q", tt.name, tt.value, got[tt.name], tt.want)
		}
	}
	if env["DB_PASS"] != "hunter2" {
		t.Error("Redact changed its argument")
	}
}

func TestSealDetectsChangesWithoutTheValue(t *testing.T) {
	s := Secrets{Key: []byte("k1")}
	a, b := s.seal("hunter2"), s.seal("hunter3")
	if !strings.HasPrefix(a, SealPrefix) || len(a) != len(SealPrefix)+64 {
		t.Fatalf("sealed value %q, want %s and 64 hex digits", a, SealPrefix)
	}
	if a == b {
		t.Error("two secrets sealed alike")
	}
	if a != s.seal("hunter2") {
		t.Error("sealing is not deterministic")
	}
	if other := (Secrets{Key: []byte("k2")}).seal("hunter2"); other == a {
		t.Error("another key sealed the value alike")
	}
	if got := (Secrets{}).seal("hunter2"); got != Redacted {
		t.Errorf("without a key sealed to %q, want %q", got, Redacted)
	}
}
