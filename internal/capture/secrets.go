package capture

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
)

// Redacted replaces a secret value when no key is at hand to seal it.
const Redacted = "<redacted>"

// SealPrefix starts a sealed value: "hmac-sha256:" and the hex HMAC-SHA256
// of the value under the home's key.
const SealPrefix = "hmac-sha256:"

// Secrets says which variables of a step's environment are secret and how
// their values are recorded. A variable is secret when the flow declares it
// (`secrets:`), when its name looks secret (it contains KEY, TOKEN, SECRET,
// PASS, AUTH, CRED, PRIVATE, SESSION, COOKIE or DSN, in any case) or when
// its value holds a well-known credential shape (Hugging Face, GitHub, AWS,
// OpenAI-style and Slack tokens, JWTs, PEM private keys). A URL with a
// password keeps its scheme, user and host; only the password is sealed.
type Secrets struct {
	// Names are the variables the flow declares secret, whatever their
	// names and values look like.
	Names []string
	// Key seals secret values: each is recorded as SealPrefix and its
	// HMAC-SHA256 under Key, so a changed secret changes the record (and
	// the cache key) while the value cannot be read back. Without a key a
	// secret is recorded as Redacted and its changes go unnoticed.
	Key []byte
}

// Redact returns a copy of env fit for recording, every secret value
// sealed. env itself is not changed.
func (s Secrets) Redact(env map[string]string) map[string]string {
	out := make(map[string]string, len(env))
	for name, value := range env {
		if slices.Contains(s.Names, name) || SecretName(name) || SecretValue(value) {
			out[name] = s.seal(value)
			continue
		}
		out[name] = s.sealURLPasswords(value)
	}
	return out
}

// seal returns the recorded form of a secret value.
func (s Secrets) seal(value string) string {
	if len(s.Key) == 0 {
		return Redacted
	}
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(value))
	return SealPrefix + hex.EncodeToString(m.Sum(nil))
}

// secretName matches variable names that hold secrets. AUTHOR is taken
// out first: GIT_AUTHOR_NAME names a person.
var secretName = regexp.MustCompile(`KEY|TOKEN|SECRET|PASS|AUTH|CRED|PRIVATE|SESSION|COOKIE|DSN`)

// SecretName reports whether a variable's name says it holds a secret.
func SecretName(name string) bool {
	return secretName.MatchString(strings.ReplaceAll(strings.ToUpper(name), "AUTHOR", ""))
}

// secretShapes match credentials by their well-known shapes, anywhere in a
// value (a header such as "Authorization: Bearer eyJ…" is caught too).
var secretShapes = regexp.MustCompile(strings.Join([]string{
	`\bhf_[A-Za-z0-9]{20,}`,                                     // Hugging Face
	`\bgh[pousr]_[A-Za-z0-9]{20,}`,                              // GitHub tokens
	`\bgithub_pat_[A-Za-z0-9_]{20,}`,                            // GitHub fine-grained tokens
	`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,                             // AWS access key IDs
	`\bsk-[A-Za-z0-9_-]{20,}`,                                   // OpenAI, Anthropic and alike
	`\bxox[abposre]-[A-Za-z0-9-]{10,}`,                          // Slack
	`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`, // JWT
	`-----BEGIN[A-Z0-9 ]* PRIVATE KEY-----`,                     // PEM private keys
}, "|"))

// SecretValue reports whether a value holds a credential of a well-known shape.
func SecretValue(value string) bool {
	return secretShapes.MatchString(value)
}

// sealURLPasswords seals the password of any URL in a value (which may be
// a list such as "http://a:b@x,http://y"), keeping the rest readable.
func (s Secrets) sealURLPasswords(value string) string {
	if !strings.Contains(value, "@") || !strings.Contains(value, "://") {
		return value
	}
	return urlWithUser.ReplaceAllStringFunc(value, func(m string) string {
		scheme, rest, _ := strings.Cut(m, "://")
		userinfo, host, _ := strings.Cut(rest, "@")
		user, password, hasPassword := strings.Cut(userinfo, ":")
		if !hasPassword {
			return m
		}
		return scheme + "://" + user + ":" + s.seal(password) + "@" + host
	})
}

// urlWithUser matches scheme://userinfo@ prefixes of URLs.
var urlWithUser = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@\s,;]*@[^\s,;]*`)
