package sandbox

import "strings"

// commandNames returns, in order and without repeats, the program names a
// POSIX shell command line runs: the first word of each simple command
// after variable assignments, redirections and wrappers such as env, exec,
// nohup, time, nice and timeout. It understands quoting, comments, the
// operators ; & | && || ( ) and newlines, and the reserved words that
// start a command (if, then, do, ...). It is an approximation for finding
// interpreters, not a shell: command substitutions and case patterns are
// not followed.
func commandNames(line string) []string {
	var names []string
	seen := map[string]bool{}
	atStart, skipNext, inFor := true, 0, false
	wrapper := ""
	for _, t := range shellTokens(line) {
		switch {
		case t.op != "":
			if t.op == "<" || t.op == ">" {
				skipNext = 1 // the redirection's target
				continue
			}
			atStart, wrapper, inFor = true, "", false
			continue
		case skipNext > 0:
			skipNext--
			continue
		case inFor:
			if t.word == "do" && !t.quoted {
				atStart, inFor = true, false
			}
			continue
		case !atStart:
			continue
		}
		w := t.word
		if isAssignment(w[:t.plain]) {
			continue
		}
		if !t.quoted && startWords[w] {
			continue
		}
		if !t.quoted && (w == "for" || w == "case" || w == "select") {
			inFor, atStart = true, false
			continue
		}
		if wrapper != "" && strings.HasPrefix(w, "-") {
			if optionArgs[wrapper][w] {
				skipNext = 1
			}
			continue
		}
		if wrapper == "timeout" {
			wrapper = "timeout-done" // the duration
			continue
		}
		if wrappers[w] {
			wrapper = w
			continue
		}
		if w != "" && !seen[w] {
			seen[w] = true
			names = append(names, w)
		}
		atStart, wrapper = false, ""
	}
	return names
}

// startWords are reserved words after which a new command begins.
var startWords = map[string]bool{
	"if": true, "then": true, "else": true, "elif": true, "do": true, "while": true,
	"until": true, "!": true, "{": true, "}": true, "fi": true, "done": true, "esac": true,
}

// wrappers run the command that follows them.
var wrappers = map[string]bool{
	"env": true, "exec": true, "command": true, "builtin": true, "nohup": true,
	"time": true, "nice": true, "timeout": true, "stdbuf": true, "setsid": true,
}

// optionArgs lists the wrapper options that take a separate argument.
var optionArgs = map[string]map[string]bool{
	"env":     {"-u": true, "--unset": true, "-C": true, "--chdir": true},
	"nice":    {"-n": true, "--adjustment": true},
	"timeout": {"-s": true, "--signal": true, "-k": true, "--kill-after": true},
}

// isAssignment reports whether w has the form NAME=value.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// token is a shell word (with quotes removed) or an operator.
type token struct {
	word   string
	quoted bool   // some part of the word was quoted or escaped
	plain  int    // length of the word's leading part before any quoting
	op     string // ";", "&", "|", "(", ")", "\n", "<" or ">"; "" for a word
}

// shellTokens splits line into words and operators. Unterminated quotes
// run to the end of the line.
func shellTokens(line string) []token {
	var toks []token
	var cur strings.Builder
	inWord, quoted, plain := false, false, 0
	flush := func() {
		if inWord {
			if !quoted {
				plain = cur.Len()
			}
			toks = append(toks, token{word: cur.String(), quoted: quoted, plain: plain})
		}
		cur.Reset()
		inWord, quoted = false, false
	}
	quote := func() {
		if !quoted {
			plain = cur.Len()
		}
		inWord, quoted = true, true
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\' && i+1 < len(rs):
			i++
			if rs[i] != '\n' {
				quote()
				cur.WriteRune(rs[i])
			}
		case c == '\'' || c == '"':
			quote()
			for i++; i < len(rs) && rs[i] != c; i++ {
				if c == '"' && rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[i+1]) {
					i++
				}
				cur.WriteRune(rs[i])
			}
		case c == '#' && !inWord:
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			i-- // let the newline end the command
		case c == ' ' || c == '\t':
			flush()
		case strings.ContainsRune(";&|()\n<>", c):
			if (c == '<' || c == '>') && inWord && isDigits(cur.String()) && !quoted {
				cur.Reset()
				inWord = false // "2>" names a file descriptor, not a word
			}
			flush()
			if c == '>' && i+1 < len(rs) && rs[i+1] == '&' {
				i++ // ">&2" duplicates a descriptor; the target is still one word
			}
			toks = append(toks, token{op: string(c)})
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	flush()
	return toks
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
