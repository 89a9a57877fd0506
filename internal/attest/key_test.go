package attest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyRoundTrip(t *testing.T) {
	for _, typ := range []KeyType{"", KeyECDSAP256, KeyEd25519} {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyPath, pubPath := filepath.Join(dir, "builder.key"), filepath.Join(dir, "builder.pub")
			s := testSigner(t, typ)
			if err := s.Save(keyPath, pubPath, passphrase("s3cret")); err != nil {
				t.Fatal(err)
			}
			for path, want := range map[string]os.FileMode{keyPath: 0o600, pubPath: 0o644} {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != want {
					t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
				}
			}
			priv, _ := os.ReadFile(keyPath)
			if !bytes.HasPrefix(priv, []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")) {
				t.Errorf("private key file starts %q, want an encrypted sigstore PEM", priv[:40])
			}
			loaded, err := LoadSigner(keyPath, passphrase("s3cret"))
			if err != nil {
				t.Fatal(err)
			}
			pub, err := LoadPublicKey(pubPath)
			if err != nil {
				t.Fatal(err)
			}
			if !loaded.PublicKey.Equal(s.PublicKey) || !pub.Equal(s.PublicKey) {
				t.Fatal("loaded keys differ from the generated one")
			}
			if loaded.Name != "builder.key" || pub.Name != "builder.pub" {
				t.Errorf("names %q, %q; want builder.key, builder.pub", loaded.Name, pub.Name)
			}
			if pub.Fingerprint() != s.PublicKey.Fingerprint() || !strings.HasPrefix(pub.Fingerprint(), "SHA256:") {
				t.Errorf("fingerprint %q vs %q", pub.Fingerprint(), s.PublicKey.Fingerprint())
			}
			b, d := signedStatement(t, loaded, "out", []byte("artifact"))
			v, err := Verify(b, []*PublicKey{pub}, d)
			if err != nil {
				t.Fatal(err)
			}
			if v.Key != pub {
				t.Error("Verify did not report the key that signed")
			}
		})
	}
}

func TestLoadSignerWrongPassphrase(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "k.key")
	if err := testSigner(t, "").Save(keyPath, filepath.Join(dir, "k.pub"), passphrase("right")); err != nil {
		t.Fatal(err)
	}
	_, err := LoadSigner(keyPath, passphrase("wrong"))
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("err = %v, want ErrWrongPassphrase", err)
	}
	if !strings.Contains(err.Error(), keyPath) {
		t.Errorf("error %q does not name the key file", err)
	}
	perr := errors.New("no terminal")
	if _, err := LoadSigner(keyPath, func() ([]byte, error) { return nil, perr }); !errors.Is(err, perr) {
		t.Errorf("passphrase failure: err = %v", err)
	}
}

func TestLoadSignerFormats(t *testing.T) {
	s := testSigner(t, "")
	enc, err := s.EncryptedPEM(passphrase("pw"))
	if err != nil {
		t.Fatal(err)
	}
	legacy := bytes.ReplaceAll(enc, []byte("ENCRYPTED SIGSTORE PRIVATE KEY"), []byte("ENCRYPTED COSIGN PRIVATE KEY"))
	tests := []struct {
		name    string
		pem     []byte
		wantErr string
	}{
		{"sigstore", enc, ""},
		{"cosign legacy", legacy, ""},
		{"public key", s.PublicKey.PEM(), `"PUBLIC KEY"`},
		{"not PEM", []byte("hello"), "no PEM block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSigner("k", tt.pem, passphrase("pw"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.PublicKey.Equal(s.PublicKey) {
				t.Error("decrypted a different key")
			}
		})
	}
}

func TestSaveRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	keyPath, pubPath := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
	writeFile(t, pubPath, "keep me")
	err := testSigner(t, "").Save(keyPath, pubPath, passphrase("pw"))
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("err = %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(pubPath); string(b) != "keep me" {
		t.Error("existing public key was overwritten")
	}
	if _, err := os.Stat(keyPath); !os.IsNotExist(err) {
		t.Error("private key written although the pair could not be saved")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left %d files behind, want only the existing one", len(ents))
	}
}

func TestPublicKeyIdentity(t *testing.T) {
	// pub-only.pem and signing-key-pub.pem (certtool text before the PEM)
	// hold the same P-384 key; the hint is the one model_signing wrote
	// into model.sig, the fingerprint openssl's pin-sha256.
	for _, f := range []string{"pub-only.pem", "signing-key-pub.pem"} {
		k, err := LoadPublicKey(filepath.Join(vectorDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := k.Hint(), "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e"; got != want {
			t.Errorf("%s: hint %s, want %s", f, got, want)
		}
		if got, want := k.Fingerprint(), "SHA256:weSdYzJ/hcfilxrv0wtaDRxrm14aiS5/X7qZWtrOgW0"; got != want {
			t.Errorf("%s: fingerprint %s, want %s", f, got, want)
		}
	}
}

func TestParseKeyType(t *testing.T) {
	tests := []struct {
		in      string
		want    KeyType
		wantErr bool
	}{
		{"", KeyECDSAP256, false},
		{"ecdsa-p256", KeyECDSAP256, false},
		{"ED25519", KeyEd25519, false},
		{"rsa", "", true},
	}
	for _, tt := range tests {
		got, err := ParseKeyType(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseKeyType(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := GenerateKey("rsa"); err == nil || !strings.Contains(err.Error(), "ed25519") {
		t.Errorf("GenerateKey(rsa) error %v should list the supported types", err)
	}
}

// TestSignerNeverPrintsPrivateKey: formatting a Signer in any way a log
// line might shows its name and fingerprint only.
func TestSignerNeverPrintsPrivateKey(t *testing.T) {
	for _, typ := range KeyTypes {
		s := testSigner(t, typ)
		s.Name = "builder.key"
		want := "builder.key (" + s.PublicKey.Fingerprint() + ")"
		for _, tt := range []struct{ got, want string }{
			{fmt.Sprintf("%v", s), want},
			{fmt.Sprintf("%+v", *s), want},
			{fmt.Sprint(*s), want},
			{fmt.Sprintf("%#v", s), "attest.Signer{" + want + "}"},
			{fmt.Sprintf("%#v", *s), "attest.Signer{" + want + "}"},
		} {
			if tt.got != tt.want {
				t.Errorf("%s signer formats as %q, want %q", typ, tt.got, tt.want)
			}
		}
	}
}
