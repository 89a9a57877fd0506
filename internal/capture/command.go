package capture

import (
	"bytes"
	"os"
	"path"
	"regexp"
	"strings"
)

// pythonName matches the names a Python interpreter goes by.
var pythonName = regexp.MustCompile(`^python([0-9]+(\.[0-9]+)?)?$`)

// assignment matches a shell variable assignment word.
var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// wrappers run the rest of their command line; their options (with the
// ones that take a value listed) are skipped.
var wrappers = map[string]map[string]bool{
	"env":     {"-u": true, "--unset": true, "-C": true, "--chdir": true, "-S": true},
	"exec":    {"-a": true},
	"time":    {"-f": true, "-o": true},
	"nice":    {"-n": true},
	"nohup":   {},
	"command": {},
	"stdbuf":  {"-i": true, "-o": true, "-e": true},
}

// shellKeywords may open a simple command before its program
// ("then exec python3 x.py").
var shellKeywords = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "do": true, "while": true, "until": true, "!": true, "{": true}

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

// findPython returns the first simple command of cmdline whose program is
// a Python interpreter, looking past variable assignments and wrappers
// such as env, exec and time, or nil when there is none.
func findPython(cmdline string) *interpreterCall {
	for _, words := range simpleCommands(cmdline) {
		if call, i := parseCall(words); i >= 0 && pythonName.MatchString(path.Base(words[i])) {
			call.Word = words[i]
			call.Flags = pathFlags(words[i+1:])
			return call
		}
	}
	return nil
}

// parseCall reads the words of a simple command up to its program, past
// variable assignments and wrappers (env, exec, time…) with their
// options: it returns what they do to the environment and the index of the
// program word, or -1 when there is none.
func parseCall(words []string) (*interpreterCall, int) {
	call := &interpreterCall{Env: map[string]string{}}
	wrapper := ""
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case assignment.MatchString(w) && (wrapper == "" || wrapper == "env"):
			name, value, _ := strings.Cut(w, "=")
			call.Env[name] = value
		case wrapper != "" && strings.HasPrefix(w, "-") && w != "-":
			if wrapper == "env" && (w == "-i" || w == "--ignore-environment") {
				call.Clear = true
			}
			takesValue := wrappers[wrapper][w]
			if takesValue && i+1 < len(words) {
				if wrapper == "env" && (w == "-u" || w == "--unset") {
					call.Unset = append(call.Unset, words[i+1])
				}
				i++
			}
		case wrappers[w] != nil:
			wrapper = w
		case wrapper == "" && shellKeywords[w]:
		default:
			return call, i
		}
	}
	return call, -1
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

// simpleCommands splits a shell command line into simple commands (at ;,
// &, |, &&, ||, newlines and parentheses) of unquoted words. It follows
// the POSIX quoting rules for ', " and \ and does no expansion.
func simpleCommands(s string) [][]string {
	var cmds [][]string
	var words []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCommand := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' {
				word.WriteByte(s[i])
				inWord = true
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				end = len(s) - i - 1
			}
			word.WriteString(s[i+1 : i+1+end])
			inWord = true
			i += end + 1
		case c == '"':
			inWord = true
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
				}
				word.WriteByte(s[i])
			}
		case c == ' ' || c == '\t':
			endWord()
		case strings.IndexByte(";&|\n()", c) >= 0:
			endCommand()
		case c == '#' && !inWord:
			for i+1 < len(s) && s[i+1] != '\n' {
				i++ // a comment runs to the end of its line
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCommand()
	return cmds
}

// expandVars replaces $NAME and ${NAME} in an assignment value with the
// values of env, as the shell would before starting the command.
func expandVars(value string, env map[string]string) string {
	return os.Expand(value, func(name string) string { return env[name] })
}
