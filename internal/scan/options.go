package scan

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Options control what a scan accepts.
type Options struct {
	// Pickle is the format policy for pickle streams, wherever they are
	// found; the zero value is PickleDeny. No policy lets in a pickle with a
	// dangerous import: a user who needs one names it in AllowGlobals.
	Pickle PicklePolicy
	// AllowGlobals lists "module.name" or "module.*" entries that count as
	// safe, overriding the built-in blocklist; "sklearn.*" also covers
	// sklearn.tree and every other module below sklearn.
	AllowGlobals []string
	// Limits bound the work spent on hostile input; zero fields take the
	// defaults of DefaultLimits.
	Limits Limits
}

// PicklePolicy says which pickles a scan lets in.
type PicklePolicy string

// The pickle policies, from strictest to most lenient.
const (
	// PickleDeny refuses every pickle stream, however harmless its opcodes.
	PickleDeny PicklePolicy = "deny"
	// PickleAllowSafe lets in, as a warning, pickles whose imports are all
	// on the safe list (or in AllowGlobals), and pickles that import
	// nothing.
	PickleAllowSafe PicklePolicy = "allow-safe"
	// PickleAllow lets in, as a warning, every pickle without a dangerous
	// import, including imports the scanner does not know.
	PickleAllow PicklePolicy = "allow"
)

// PicklePolicies lists the policies in the order a user is offered them.
var PicklePolicies = []PicklePolicy{PickleDeny, PickleAllowSafe, PickleAllow}

// ParsePicklePolicy checks a policy name; the empty string is PickleDeny.
func ParsePicklePolicy(s string) (PicklePolicy, error) {
	if s == "" {
		return PickleDeny, nil
	}
	for _, p := range PicklePolicies {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown pickle policy %q: use deny, allow-safe or allow", s)
}

// Limits bound the resources one scan may use. Reaching a limit makes the
// verdict Unscannable (or Unsafe if something dangerous was already found).
type Limits struct {
	// MaxOpcodes is the number of pickle opcodes walked per pickle stream.
	MaxOpcodes int64
	// MaxMemo is the number of memo entries a pickle may create.
	MaxMemo int
	// MaxStack is the depth of the pickle stack (values plus marks).
	MaxStack int
	// MaxString is the longest string or bytes argument a pickle may carry.
	MaxString int64
	// MaxDepth is how deeply containers may nest (zip in gzip in tar ...).
	MaxDepth int
	// MaxDecompressed is the most bytes one compressed member may expand to.
	MaxDecompressed int64
	// MaxRatio is the largest decompressed/compressed ratio accepted once a
	// member has expanded beyond 64 MiB.
	MaxRatio int64
	// MaxMembers is the number of archive members scanned in one file,
	// counted across every nesting level.
	MaxMembers int
	// MaxMemory approximates the bytes a pickle's analysis may keep in its
	// memo and containers.
	MaxMemory int64
	// MaxHeader is the largest header (safetensors JSON, npy dict, Keras
	// configuration) read into memory.
	MaxHeader int64
}

// DefaultLimits returns the limits used for zero fields of Options.Limits.
func DefaultLimits() Limits {
	return Limits{
		MaxOpcodes:      100_000_000,
		MaxMemo:         10_000_000,
		MaxStack:        100_000,
		MaxMemory:       1 << 30,
		MaxString:       4 << 30,
		MaxDepth:        8,
		MaxDecompressed: 32 << 30,
		MaxRatio:        1000,
		MaxMembers:      100_000,
		MaxHeader:       100_000_000,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.MaxOpcodes, d.MaxOpcodes)
	orDefault(&l.MaxMemo, d.MaxMemo)
	orDefault(&l.MaxStack, d.MaxStack)
	orDefault(&l.MaxString, d.MaxString)
	orDefault(&l.MaxDepth, d.MaxDepth)
	orDefault(&l.MaxDecompressed, d.MaxDecompressed)
	orDefault(&l.MaxRatio, d.MaxRatio)
	orDefault(&l.MaxMembers, d.MaxMembers)
	orDefault(&l.MaxMemory, d.MaxMemory)
	orDefault(&l.MaxHeader, d.MaxHeader)
	return l
}

// orDefault sets a limit that is zero or negative to its default.
func orDefault[T int | int64](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// LoadAllowList reads an allow file: one "module.name" or "module.*" entry
// per line; blank lines and text after "#" are ignored.
func LoadAllowList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load allow list: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if err := checkAllowEntry(s); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read allow list %s: %w", path, err)
	}
	return out, nil
}

// checkAllowEntry validates one allow-list entry.
func checkAllowEntry(s string) error {
	i := strings.LastIndexByte(s, '.')
	if strings.ContainsAny(s, " \t") || i <= 0 || i == len(s)-1 {
		return fmt.Errorf("bad entry %q: write module.name (collections.OrderedDict) or module.* (sklearn.tree.*)", s)
	}
	if strings.Contains(s[:i], "*") || (strings.Contains(s[i+1:], "*") && s[i+1:] != "*") {
		return fmt.Errorf("bad entry %q: a wildcard may only stand for the whole name after the last dot (module.*)", s)
	}
	return nil
}
