package shell

import "testing"

// FuzzCommands feeds arbitrary step commands to the parser and walker:
// they must not panic, every command has a program word, and what env
// and sh -c set is well formed.
func FuzzCommands(f *testing.F) {
	for _, s := range []string{
		"python3 train.py",
		"A=1 env -u X -i -S 'B=2 nice -n 3' timeout 5 python3 -sE x.py 2>&1 | tee 'x y'",
		"if a; then b; fi", "for x in 1; do c; done", "'\\\"", "#!\n\\", "timeout",
		"bash -c \"sh -c 'uv run --with x python y.py'\"", "xargs -I {} sh -c 'exec {}'",
		"f() { g $(h \"${a:-b}\"); }", "env -S", "sh -o", "uv run", "poetry run",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmds, err := Commands(line)
		if err != nil {
			return
		}
		for _, c := range cmds {
			if len(c.Args) == 0 || c.Name() == "" {
				t.Fatalf("%q: a command without a program: %+v", line, c)
			}
			if c.Env == nil {
				t.Fatalf("%q: command %q has no environment map", line, c.Name())
			}
			for name := range c.Env {
				if !IsAssignment(name + "=") {
					t.Fatalf("%q: assignment to %q", line, name)
				}
			}
		}
	})
}
