package scan

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// quickAudited records, for the whole test binary, every quick walk a scan
// relied on that differed from the full walk of the same bytes.
var quickAudited struct {
	sync.Mutex
	walks    int
	mismatch []string
}

func init() {
	quickAudit = func(quick, full *pickleWalk) {
		quickAudited.Lock()
		defer quickAudited.Unlock()
		quickAudited.walks++
		if d := walkDiff(quick, full); d != "" {
			quickAudited.mismatch = append(quickAudited.mismatch, d)
		}
	}
}

// walkDiff describes how two walks differ, in what the report shows under
// every format policy, or returns "".
func walkDiff(quick, full *pickleWalk) string {
	if !reflect.DeepEqual(quick, full) {
		return fmt.Sprintf("quick walk %+v, full walk %+v", *quick, *full)
	}
	for _, p := range PicklePolicies {
		q, f := quick.findings("m", p), full.findings("m", p)
		if !reflect.DeepEqual(q, f) {
			return fmt.Sprintf("policy %q: quick findings %+v, full findings %+v", p, q, f)
		}
	}
	return ""
}

// checkQuick walks b both ways and fails when the quick walk gives a report
// of its own instead of declining or agreeing with the full walk. It reports
// whether the quick walk answered.
func checkQuick(t *testing.T, b []byte, lim Limits, cls *classifier) bool {
	t.Helper()
	lim = lim.withDefaults()
	q, ok := quickWalk(bytes.NewReader(b), int64(len(b)), lim, cls)
	if !ok {
		return false
	}
	full := walkPickles(bytes.NewReader(b), int64(len(b)), lim, cls)
	if d := walkDiff(q, full); d != "" {
		t.Fatalf("%q: %s", b, d)
	}
	return true
}

// quickCorpus is every pickle of the test corpus that exists without Python,
// named: the malicious and benign cases, their zip members and the policy
// fixtures.
func quickCorpus(t *testing.T) map[string][]byte {
	out := map[string][]byte{
		"state dict":        stateDictPickle(50),
		"stacked dicts":     []byte(proto(2) + "}q\x00." + proto(2) + "]q\x00K\x01a."),
		"memo-fed safe":     []byte(proto(4) + ustr("torch") + "\x94" + ustr("Size") + "\x94h\x00h\x01\x93)\x85R."),
		"protocol 0 names":  []byte(str0("collections") + "VOrderedDict\n\x93)R."),
		"INST of a safe":    []byte("(icollections\nOrderedDict\n."),
		"OBJ of a safe":     []byte("(" + glob("builtins", "set") + "o."),
		"NEWOBJ_EX":         []byte(proto(4) + stackGlobal("builtins", "set") + ")}\x92."),
		"joblib wrapper":    []byte(proto(2) + glob("joblib.numpy_pickle", "NumpyArrayWrapper") + ")\x81}b."),
		"joblib split name": []byte(proto(4) + stackGlobal("joblib", "numpy_pickle.NumpyArrayWrapper") + ")\x81}b."),
		"legacy magic":      []byte(proto(2) + "\x8a\x0a" + "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19." + proto(2) + "}."),
		"appended magic":    []byte(proto(2) + "\x8a\x0a" + "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19" + "(e." + proto(2) + "}."),
		"trailing junk":     []byte(proto(2) + "}." + "\x00\xffjunk"),
		"EXT1":              []byte(proto(2) + "\x82\x01)R."),
		"long text line":    []byte("V" + strings.Repeat("a", quickLine+1) + "\n."),
		"bytes as name":     []byte(proto(4) + "C\x05torch" + ustr("Size") + "\x93."),
	}
	for _, c := range unsafeCases {
		out["unsafe "+c.name] = c.data(t)
	}
	for _, c := range safeCases {
		out["safe "+c.name] = c.data(t)
	}
	policy, err := filepath.Glob("testdata/policy/*.pkl")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policy {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
	}
	return out
}

// TestQuickWalkAgreesWithFullWalk runs the quick walk over the corpus under
// the default limits, limits it reaches, and an allow list, and checks it
// declines or gives the full walk's report.
func TestQuickWalkAgreesWithFullWalk(t *testing.T) {
	tight := []Limits{{}, fuzzLimits, {MaxMemory: 2000}, {MaxStack: 4}, {MaxMemo: 1}, {MaxOpcodes: 5}, {MaxString: 3}}
	allow := newClassifier([]string{"os.system", "mylib.*"})
	answered := map[string]bool{}
	for name, b := range quickCorpus(t) {
		for _, lim := range tight {
			for _, cls := range []*classifier{newClassifier(nil), allow} {
				if checkQuick(t, b, lim, cls) && lim == (Limits{}) && cls != allow {
					answered[name] = true
				}
			}
		}
	}
	// The quick walk answers for the pickles whose globals are all safe and
	// declines for the rest.
	for _, name := range []string{"state dict", "stacked dicts", "memo-fed safe", "protocol 0 names", "INST of a safe", "OBJ of a safe", "NEWOBJ_EX"} {
		if !answered[name] {
			t.Errorf("quick walk declined %s", name)
		}
	}
	for name := range answered {
		if strings.HasPrefix(name, "unsafe ") || strings.Contains(name, "joblib") || strings.Contains(name, "magic") ||
			name == "trailing junk" || name == "EXT1" || name == "long text line" || name == "bytes as name" {
			t.Errorf("quick walk answered for %s, which it must leave to the full walk", name)
		}
	}
}

// TestQuickWalkCutAnywhere cuts a state dict at every byte, alone and
// followed by a safe pickle, so that the quick walk meets every opcode cut.
func TestQuickWalkCutAnywhere(t *testing.T) {
	b := stateDictPickle(3)
	safe := []byte(proto(4) + ustr("torch") + "\x94" + ustr("Size") + "\x94h\x00h\x01\x93)\x85R.")
	for i := 0; i <= len(b); i++ {
		checkQuick(t, b[:i], Limits{}, newClassifier(nil))
		checkQuick(t, append(append([]byte{}, b[:i]...), safe...), Limits{}, newClassifier(nil))
	}
}

// TestQuickAuditedScans checks that the scans of the whole test binary that
// relied on the quick walk agree with the full walk. It runs the corpus
// through the scanner first, so it holds even when run alone.
func TestQuickAuditedScans(t *testing.T) {
	cases := append(unsafeCases[:0:0], unsafeCases...)
	cases = append(cases, unsafeCase{file: "state.pt", data: zipOf(zipMember{name: "m/data.pkl", data: stateDictPickle(100)})})
	for _, c := range cases {
		b := c.data(t)
		if _, err := Reader(context.Background(), c.file, bytes.NewReader(b), int64(len(b)), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	quickAudited.Lock()
	defer quickAudited.Unlock()
	if quickAudited.walks == 0 {
		t.Fatal("no scan relied on the quick walk")
	}
	for _, m := range quickAudited.mismatch {
		t.Error(m)
	}
}

// FuzzQuickWalk checks that on any input the quick walk declines or agrees
// with the full walk.
func FuzzQuickWalk(f *testing.F) {
	for _, b := range quickCorpus(nil) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkQuick(t, b, Limits{}, newClassifier(nil))
		checkQuick(t, b, fuzzLimits, newClassifier(nil))
		checkQuick(t, b, Limits{MaxMemory: 4000, MaxStack: 8}, newClassifier([]string{"os.*"}))
	})
}
