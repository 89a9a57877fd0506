package capture

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// defaultPATH is searched when neither Options.PATH nor the step's
// environment gives one.
const defaultPATH = "/usr/local/bin:/usr/bin:/bin"

// stepEnv returns the environment the step starts with: Options.Env (the
// current process's environment when nil) with PATH set to Options.PATH.
func stepEnv(opts Options) map[string]string {
	env := map[string]string{}
	if opts.Env == nil {
		for _, kv := range os.Environ() {
			if name, value, ok := strings.Cut(kv, "="); ok {
				env[name] = value
			}
		}
	} else {
		for name, value := range opts.Env {
			env[name] = value
		}
	}
	if opts.PATH != "" {
		env["PATH"] = opts.PATH
	}
	if env["PATH"] == "" {
		env["PATH"] = defaultPATH
	}
	return env
}

// apply returns the environment the interpreter sees once the command
// line's own assignments, "env -i" and "env -u" have been applied to env.
func (c *interpreterCall) apply(env map[string]string) map[string]string {
	out := map[string]string{}
	if !c.Clear {
		for name, value := range env {
			out[name] = value
		}
	}
	for _, name := range c.Unset {
		delete(out, name)
	}
	names := make([]string, 0, len(c.Env))
	for name := range c.Env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out[name] = expandVars(c.Env[name], env)
	}
	if out["PATH"] == "" {
		out["PATH"] = env["PATH"]
	}
	return out
}

// lookPath finds the program word as the shell would: a word with a slash
// is a path (relative to dir), anything else is searched on PATH.
func lookPath(word, path, dir string) (string, error) {
	if strings.Contains(word, "/") {
		p := word
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("find python interpreter %s: %w", word, ErrNoInterpreter)
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		if !filepath.IsAbs(d) && dir != "" {
			d = filepath.Join(dir, d)
		}
		if p := filepath.Join(d, word); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("find python interpreter %s on PATH %s: %w", word, path, ErrNoInterpreter)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

// environList turns env into sorted "NAME=value" entries for os/exec.
func environList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for name, value := range env {
		list = append(list, name+"="+value)
	}
	sort.Strings(list)
	return list
}
