package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAccessToken(t *testing.T) {
	home := t.TempDir()
	if err := CheckAccess(home, "anything-long-enough"); !errors.Is(err, ErrAccessDenied) || !strings.Contains(err.Error(), "access-token set") {
		t.Fatalf("no credential configured: %v", err)
	}
	if err := os.WriteFile(filepath.Join(home, PlatformFile), []byte("server: https://lockstep.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetAccessToken(home, []byte("short\n")); err == nil {
		t.Fatal("accepted a short token")
	}
	token := "0123456789abcdef0123456789abcdef"
	if err := SetAccessToken(home, []byte(token+"\n")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(home, PlatformFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), token) || !strings.Contains(string(b), "data_access_token_sha256: sha256:") ||
		!strings.Contains(string(b), "server: https://lockstep.example") {
		t.Fatalf("platform.yaml = %s", b)
	}
	tests := []struct {
		token string
		ok    bool
	}{
		{token, true},
		{"", false},
		{token + "x", false},
		{strings.ToUpper(token), false},
	}
	for _, tt := range tests {
		err := CheckAccess(home, tt.token)
		if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrAccessDenied)) {
			t.Errorf("CheckAccess(%q) = %v, want ok %v", tt.token, err, tt.ok)
		}
	}
}
