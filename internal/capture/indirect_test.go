package capture

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLocatePythonFollowsShellsAndScripts checks that an interpreter the
// command starts only indirectly is found: through sh -c, a #! line, a
// shell script's exec, a program on PATH; and that nothing else is taken
// for one.
func TestLocatePythonFollowsShellsAndScripts(t *testing.T) {
	dir, bin := t.TempDir(), t.TempDir()
	files := map[string]string{
		filepath.Join(dir, "show.py"):   "#!/usr/bin/env -S PYTHONSAFEPATH=1 python3 -I\nprint(1)\n",
		filepath.Join(dir, "run.sh"):    "#!/bin/sh\n# python2 is not what runs: the comment ends here\nset -e\nif true; then\n  exec python3.11 -s train.py \"$@\"\nfi\n",
		filepath.Join(dir, "nested.sh"): "#!/bin/bash\nbash ./run.sh\n",
		filepath.Join(dir, "plain.sh"):  "#!/bin/sh\necho no python here\n",
		filepath.Join(dir, "data.bin"):  "\x7fELF binary",
		filepath.Join(bin, "mytool"):    "#!/opt/venv/bin/python3\nimport tool\n",
	}
	for p, text := range files {
		if err := os.WriteFile(p, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := bin + ":/usr/bin:/bin"
	tests := []struct {
		cmd, word, flags string
		env              map[string]string
	}{
		{cmd: "python3 x.py", word: "python3"},
		{cmd: `sh -c "python3 x.py"`, word: "python3"},
		{cmd: `A=1 bash -ec 'cd sub && exec python -u x.py'`, word: "python", env: map[string]string{"A": "1"}},
		{cmd: "./show.py --epochs 3", word: "python3", flags: "-I", env: map[string]string{"PYTHONSAFEPATH": "1"}},
		{cmd: "./run.sh", word: "python3.11", flags: "-s"},
		{cmd: "sh run.sh", word: "python3.11", flags: "-s"},
		{cmd: "./nested.sh", word: "python3.11", flags: "-s"},
		{cmd: "mytool --go", word: "/opt/venv/bin/python3"},
		{cmd: "./plain.sh"},
		{cmd: "./data.bin"},
		{cmd: "./missing.sh && cat a.py"},
		{cmd: `sh -c "echo python3"`},
	}
	for _, tt := range tests {
		call := locatePython(tt.cmd, dir, path, maxScriptDepth)
		switch {
		case tt.word == "" && call != nil:
			t.Errorf("%q: found %q, want no interpreter", tt.cmd, call.Word)
		case tt.word == "":
		case call == nil:
			t.Errorf("%q: no interpreter found, want %s", tt.cmd, tt.word)
		case call.Word != tt.word || call.Flags != tt.flags:
			t.Errorf("%q: found %q %q, want %q %q", tt.cmd, call.Word, call.Flags, tt.word, tt.flags)
		default:
			for name, value := range tt.env {
				if call.Env[name] != value {
					t.Errorf("%q: %s=%q, want %q", tt.cmd, name, call.Env[name], value)
				}
			}
		}
	}
}
