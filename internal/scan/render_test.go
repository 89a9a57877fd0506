package scan

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a'
	}
	cases := []struct {
		name, pickle, want string
	}{
		{"quotes and escapes", proto(4) + stackGlobal("os", "system") + ustr("echo 'hi'\n") + "\x85R.", `os.system('echo \'hi\'\n')`},
		{"numbers tuple list dict", proto(2) + glob("os", "f") + "(K\x01J\xff\xff\xff\xffG?\xe0\x00\x00\x00\x00\x00\x00]K\x02a}U\x01kK\x03s)\x89N\x8a\x01\x80tR.", "os.f(1, -1, 0.5, [2], {'k': 3}, (), False, None, -128)"},
		{"bytes", proto(3) + glob("os", "f") + "C\x02\x00\xff\x85R.", `os.f(b'\x00\xff')`},
		{"long string is cut", proto(4) + stackGlobal("os", "system") + binu(string(long)) + "\x85R.", "os.system('" + string(long[:maxKeep]) + "'…(300 bytes))"},
		{"protocol 0 unicode", "cos\nsystem\n(Vls -l\ntR.", "os.system('ls -l')"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := walkPickles(strings.NewReader(c.pickle), int64(len(c.pickle)), DefaultLimits(), newClassifier(nil))
			if w.err != nil || len(w.calls) != 1 || w.calls[0] != c.want {
				t.Fatalf("calls %q (err %v), want %q", w.calls, w.err, c.want)
			}
		})
	}
}
