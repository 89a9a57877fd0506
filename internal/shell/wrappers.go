package shell

import "strings"

// wrapper describes a program (or built-in) that runs the command given
// as its arguments.
type wrapper struct {
	builtin bool            // a shell built-in, not a program of its own
	sub     string          // the subcommand that makes it a wrapper ("run")
	values  map[string]bool // options that take the next word as their value
	fixed   int             // words after the options before the command (timeout's duration)
	env     bool            // reads NAME=value words and env's -i, -u, -S
	none    map[string]bool // options after which it runs nothing (command -v)
	python  bool            // runs a NAME.py operand, or -m MODULE, with python (uv run)
}

// wrappers are matched by the base name of the program word.
var wrappers = map[string]wrapper{
	"exec":    {builtin: true, values: set("-a")},
	"command": {builtin: true, none: set("-v", "-V")},
	"builtin": {builtin: true},
	"env":     {env: true, values: set("-u", "--unset", "-C", "--chdir", "-P", "--default-signal", "--ignore-signal", "--block-signal")},
	"nohup":   {},
	"setsid":  {},
	"time":    {values: set("-f", "--format", "-o", "--output")},
	"nice":    {values: set("-n", "--adjustment")},
	"ionice":  {values: set("-c", "--class", "-n", "--classdata"), none: set("-p", "--pid", "-P", "--pgid", "-u", "--uid")},
	"chrt":    {fixed: 1, values: set("-T", "--sched-runtime", "-P", "--sched-period", "-D", "--sched-deadline"), none: set("-p", "--pid")},
	"taskset": {fixed: 1, none: set("-p", "--pid")},
	"numactl": {values: set("-N", "--cpunodebind", "-m", "--membind", "-C", "--physcpubind", "-i", "--interleave", "-p", "--preferred")},
	"stdbuf":  {values: set("-i", "--input", "-o", "--output", "-e", "--error")},
	"timeout": {fixed: 1, values: set("-s", "--signal", "-k", "--kill-after")},
	"xargs": {values: set("-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "--max-lines",
		"-n", "--max-args", "-P", "--max-procs", "-s", "--max-chars", "--process-slot-var")},
	"uv": {sub: "run", python: true, values: set("--with", "--with-editable", "--with-requirements", "-p", "--python",
		"--project", "--directory", "--env-file", "--extra", "--group", "--only-group", "--no-group",
		"--package", "--index", "--default-index", "-i", "--index-url", "--extra-index-url", "-f",
		"--find-links", "-P", "--upgrade-package", "--reinstall-package", "-C", "--config-setting",
		"--cache-dir", "--config-file", "--color", "--prerelease", "--resolution", "--index-strategy",
		"--keyring-provider", "--link-mode", "--exclude-newer", "--python-platform", "--no-binary-package",
		"--no-build-package", "--refresh-package")},
	"poetry": {sub: "run", values: set("-C", "--directory", "-P", "--project")},
	"pipenv": {sub: "run", values: set("--python")},
	"pdm":    {sub: "run", values: set("-p", "--project", "-v")},
	"conda":  {sub: "run", values: set("-n", "--name", "-p", "--prefix", "--cwd")},
	"mamba":  {sub: "run", values: set("-n", "--name", "-p", "--prefix", "--cwd")},
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// applies reports whether args (the wrapper's own word first) run a
// command: "uv run ..." does, "uv pip install" does not.
func (w wrapper) applies(args []string) bool {
	return w.sub == "" || len(args) > 1 && args[1] == w.sub
}

// skip returns the command the wrapper's arguments run, recording in c
// what env does to the environment; nil when it runs nothing.
func (w wrapper) skip(args []string, c *Command) []string {
	if w.sub != "" {
		args = args[1:]
	}
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		a := args[0]
		args = args[1:]
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case w.python && (a == "-m" || a == "--module"):
			return append([]string{"python", "-m"}, args...)
		case w.none[name]:
			return nil
		case w.env && (a == "-i" || a == "--ignore-environment"):
			c.Clear = true
		case w.env && (strings.HasPrefix(a, "-S") || name == "--split-string"):
			// "-S STRING", "-SSTRING", "--split-string=STRING"; a #! line
			// passes everything after env as this one word.
			if strings.HasPrefix(a, "-S") {
				value = a[2:]
			}
			if value == "" && len(args) > 0 {
				value, args = args[0], args[1:]
			}
			args = append(strings.Fields(value), args...)
		case w.env && (name == "-u" || name == "--unset"):
			if !hasValue && len(args) > 0 {
				value, args = args[0], args[1:]
			}
			c.Unset = append(c.Unset, value)
		case w.values[name] && !hasValue && len(args) > 0:
			args = args[1:]
		}
	}
	for w.env && len(args) > 0 && IsAssignment(args[0]) {
		name, value, _ := strings.Cut(args[0], "=")
		c.Env[name] = value
		args = args[1:]
	}
	if w.fixed > len(args) {
		return nil
	}
	args = args[w.fixed:]
	if w.python && len(args) > 0 && strings.HasSuffix(args[0], ".py") {
		return append([]string{"python"}, args...)
	}
	return args
}
