package capture

import (
	"bytes"
	"os"
	"path"
	"regexp"
	"strings"

	"lockstep.dev/lockstep/internal/shell"
)

// pythonName matches the names a Python interpreter goes by.
var pythonName = regexp.MustCompile(`^python([0-9]+(\.[0-9]+)?)?$`)

// interpreterCall is a Python interpreter named by a step's command.
type interpreterCall struct {
	// Word is the command word as written: "python3", "/usr/bin/python3".
	Word string
	// Env holds the assignments the command line makes for it
	// (A=1 python3, env A=1 python3); Clear is set by "env -i".
	Env   map[string]string
	Unset []string
	Clear bool
	// Flags are the interpreter options that change sys.path (-I, -E, -s,
	// -S), collected as one "-sE" word; "" when there are none.
	Flags string
}

// findPython returns the first command of cmdline whose program is a
// Python interpreter, looking past assignments and wrappers (env, exec,
// timeout, nice, uv run, ...) and into sh -c strings, or nil when there is
// none or the line does not parse.
func findPython(cmdline string) *interpreterCall {
	cmds, _ := shell.Commands(cmdline)
	for _, c := range cmds {
		if call := pythonCall(c); call != nil {
			return call
		}
	}
	return nil
}

// pythonCall returns the interpreter call c makes, or nil when its program
// is not a Python interpreter.
func pythonCall(c shell.Command) *interpreterCall {
	if !pythonName.MatchString(path.Base(c.Name())) {
		return nil
	}
	return &interpreterCall{Word: c.Name(), Env: c.Env, Unset: c.Unset, Clear: c.Clear, Flags: pathFlags(c.Args[1:])}
}

// pathFlags collects the options among a Python command's arguments that
// change what sys.path holds, stopping at the script, -c or -m.
func pathFlags(args []string) string {
	var flags []byte
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' || a[1] == '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			switch c := a[j]; {
			case c == 'c' || c == 'm':
				return flagWord(flags)
			case c == 'W' || c == 'X':
				if j == len(a)-1 {
					i++ // the value is the next word
				}
				j = len(a)
			case strings.IndexByte("IESs", c) >= 0 && bytes.IndexByte(flags, c) < 0:
				flags = append(flags, c)
			}
		}
	}
	return flagWord(flags)
}

func flagWord(flags []byte) string {
	if len(flags) == 0 {
		return ""
	}
	return "-" + string(flags)
}

// expandVars replaces $NAME and ${NAME} in an assignment value with the
// values of env, as the shell would before starting the command.
func expandVars(value string, env map[string]string) string {
	return os.Expand(value, func(name string) string { return env[name] })
}
