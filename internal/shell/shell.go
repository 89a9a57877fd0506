// Package shell reads the shell command lines of a flow's steps: it parses
// them with mvdan.cc/sh/v3/syntax and walks the tree for every program a
// line will start, looking through the wrappers that run another command
// (timeout, nice, env, exec, xargs, uv run, poetry run, ...) and into the
// strings given to a shell's -c. It does no expansion and runs nothing.
package shell

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// maxDepth bounds how many nested `sh -c` strings are followed.
const maxDepth = 8

// Command is one program a command line starts.
type Command struct {
	// Args are the program word and its arguments with quoting removed;
	// Args[0] is the program as written ("python3", "./run.sh").
	// Parameters are kept as ${NAME}; other expansions as written.
	Args []string
	// Env holds the assignments the line makes for the program
	// (A=1 python3, env A=1 python3, and those of an enclosing sh -c).
	Env map[string]string
	// Unset lists the variables removed by env -u; Clear is set by env -i.
	Unset []string
	Clear bool
	// Via lists the wrapper programs the command is started through,
	// outermost first ("timeout", "uv", "sh"); shell built-ins such as
	// exec and command are not programs and are not listed.
	Via []string
}

// Name returns the program word.
func (c Command) Name() string { return c.Args[0] }

// Parse parses a command line as bash does; an error names the line and
// column the shell would stop at.
func Parse(line string) (*syntax.File, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(line), "")
	if err != nil {
		return nil, fmt.Errorf("parse shell command: %w", err)
	}
	return f, nil
}

// Commands returns, in order, every program the command line starts: the
// simple commands of its lists, pipelines, subshells, conditionals, loops,
// functions and command substitutions, each looked through its wrappers,
// with shells' -c strings followed. Built-ins and keywords the shell runs
// itself (cd, test, echo) are returned like any program. What `export`
// and `unset` do to the environment reaches the commands after them, up
// to the end of the subshell or command substitution they are in.
func Commands(line string) ([]Command, error) {
	return commands(line, Command{}, maxDepth)
}

func commands(line string, outer Command, depth int) ([]Command, error) {
	f, err := Parse(line)
	if err != nil {
		return nil, err
	}
	var out []Command
	shellEnv := inherit(outer) // what export and unset have made of outer
	var saved []*Command       // per node being walked: the environment to restore after it
	syntax.Walk(f, func(n syntax.Node) bool {
		if n == nil {
			if s := saved[len(saved)-1]; s != nil {
				shellEnv = *s
			}
			saved = saved[:len(saved)-1]
			return true
		}
		var s *Command
		switch n := n.(type) {
		case *syntax.Subshell, *syntax.CmdSubst, *syntax.ProcSubst:
			c := inherit(shellEnv)
			s = &c
		case *syntax.DeclClause:
			declare(n, &shellEnv)
		case *syntax.CallExpr:
			out = append(out, call(n, &shellEnv, depth)...)
		}
		saved = append(saved, s)
		return true
	})
	return out, nil
}

// declare applies `export NAME=value` to the shell's environment.
func declare(d *syntax.DeclClause, shellEnv *Command) {
	if d.Variant == nil || d.Variant.Value != "export" {
		return
	}
	for _, a := range d.Args {
		if a.Name != nil && !a.Naked && a.Index == nil && a.Array == nil {
			shellEnv.Env[a.Name.Value] = text(a.Value)
		}
	}
}

// call returns the commands a simple command runs; `unset NAME` instead
// removes NAME from the shell's environment.
func call(n *syntax.CallExpr, shellEnv *Command, depth int) []Command {
	c := inherit(*shellEnv)
	for _, a := range n.Assigns {
		if a.Name != nil && !a.Naked && a.Index == nil && a.Array == nil {
			c.Env[a.Name.Value] = text(a.Value)
		}
	}
	args := make([]string, len(n.Args))
	for i, w := range n.Args {
		args[i] = text(w)
	}
	if len(args) > 1 && args[0] == "unset" {
		for _, name := range args[1:] {
			if !strings.HasPrefix(name, "-") {
				delete(shellEnv.Env, name)
				shellEnv.Unset = append(shellEnv.Unset, name)
			}
		}
	}
	return run(args, c, depth)
}

// Exec returns what an argument vector runs when it is executed, as a #!
// line or exec does: the program past its wrappers, and for a shell with
// -c the commands of its string. Args[0] is matched by its base name.
func Exec(args []string) []Command {
	return run(args, inherit(Command{}), maxDepth)
}

// inherit starts a command from what an enclosing command line set.
func inherit(outer Command) Command {
	c := Command{Env: map[string]string{}, Clear: outer.Clear}
	for name, value := range outer.Env {
		c.Env[name] = value
	}
	c.Unset = append(c.Unset, outer.Unset...)
	c.Via = append(c.Via, outer.Via...)
	return c
}

// run looks through the wrappers at the start of args and returns the
// commands they run, given what c holds so far.
func run(args []string, c Command, depth int) []Command {
	for len(args) > 0 {
		name := path.Base(args[0])
		w, ok := wrappers[name]
		if !ok || !w.applies(args) {
			break
		}
		if !w.builtin {
			c.Via = append(c.Via, args[0])
		}
		args = w.skip(args[1:], &c)
	}
	if len(args) == 0 || args[0] == "" {
		return nil
	}
	c.Args = args
	if IsShell(args[0]) && depth > 0 {
		if script, ok := dashC(args[1:]); ok {
			inner := c
			inner.Args = nil
			inner.Via = append(append([]string(nil), c.Via...), args[0])
			found, err := commands(script, inner, depth-1)
			if err != nil {
				return []Command{c} // the shell stops with the same error
			}
			return found
		}
	}
	return []Command{c}
}

// shells run the string given to -c.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true, "ash": true}

// dashC returns the command string of a shell's arguments ("-c STRING",
// "-ec STRING"), or false when the shell reads a script or stdin.
func dashC(args []string) (string, bool) {
	if i, c := shellOperand(args); c && i < len(args) {
		return args[i], true
	}
	return "", false
}

// IsShell reports whether program (a word or path) names a POSIX-style
// shell, which runs a -c string or a script file.
func IsShell(program string) bool { return shells[path.Base(program)] }

// Script returns the script file a shell command runs ("sh run.sh",
// "bash -e ./x.sh"), or false when c is not a shell running a file.
func Script(c Command) (string, bool) {
	if !IsShell(c.Name()) {
		return "", false
	}
	if i, cflag := shellOperand(c.Args[1:]); !cflag && i < len(c.Args)-1 {
		return c.Args[1+i], true
	}
	return "", false
}

// shellOperand returns the index of a shell's first operand past its
// options, and whether -c makes it a command string.
func shellOperand(args []string) (int, bool) {
	cflag := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-o" || a == "+o" || a == "-O" || a == "+O":
			i++ // the option name
		case a == "--" || a == "-":
			return i + 1, cflag
		case len(a) > 1 && a[0] == '-' && a[1] != '-':
			cflag = cflag || strings.Contains(a, "c")
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+"):
		default:
			return i, cflag
		}
	}
	return len(args), cflag
}

// IsAssignment reports whether w has the form NAME=value.
func IsAssignment(w string) bool { return assignment.MatchString(w) }

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// simpleParam matches a parameter expansion without operators: $A, ${A}.
var simpleParam = regexp.MustCompile(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$`)

// text returns a word with its quoting removed. Parameters are written
// ${NAME}; other expansions (command substitution, arithmetic, operators
// on parameters) are kept as written.
func text(w *syntax.Word) string {
	if w == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range w.Parts {
		part(&b, p, false)
	}
	return b.String()
}

func part(b *strings.Builder, p syntax.WordPart, quoted bool) {
	switch p := p.(type) {
	case *syntax.Lit:
		b.WriteString(unescape(p.Value, quoted))
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			part(b, q, true)
		}
	default:
		var src strings.Builder
		if err := syntax.NewPrinter().Print(&src, p); err != nil {
			return
		}
		if m := simpleParam.FindStringSubmatch(src.String()); m != nil {
			b.WriteString("${" + m[1] + "}")
			return
		}
		b.WriteString(src.String())
	}
}

// unescape removes the backslashes the shell removes: before any
// character outside quotes, before $ ` " \ and newline inside double
// quotes; a backslash-newline disappears.
func unescape(s string, quoted bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (!quoted || strings.IndexByte("$`\"\\\n", s[i+1]) >= 0) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Shebang returns what a file starting with text runs when executed: the
// program of its #! line past env and its options and assignments
// ("#!/usr/bin/env -S A=1 python3 -I" runs python3 -I), or nil when it
// has no #! line. The line is split at blanks, as env -S splits it.
func Shebang(text string) []Command {
	line, ok := strings.CutPrefix(text, "#!")
	if !ok {
		return nil
	}
	line, _, _ = strings.Cut(line, "\n")
	return Exec(strings.Fields(line))
}
