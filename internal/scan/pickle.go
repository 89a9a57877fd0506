package scan

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// legacyMagic is the first pickle of PyTorch's legacy serialisation format.
const legacyMagic = "119547037146038801333356"

// pickleWalk is what walking a stream of stacked pickles found.
type pickleWalk struct {
	globals  []Global
	calls    []string
	pickles  int   // complete pickles (up to STOP)
	proto    bool  // the stream starts with a PROTO opcode
	legacy   bool  // the first pickle is PyTorch's legacy magic number
	trailing int64 // offset of non-pickle data after the pickles, or -1
	end      int64 // offset reached
	dynamic  bool
	err      error // the stream is malformed
	limit    error // a resource limit was reached
}

// isPickle reports whether the bytes are a pickle at all: an import by
// name, a resource limit hit, PyTorch's legacy magic, or complete pickles
// that run to the end of the data. A loader can only run code after
// importing a callable, so a stream without imports that breaks off (random
// bytes often decode as a few opcodes, a PROTO header, even a short pickle
// with an EXT code) is harmless and is not reported as a pickle.
func (w *pickleWalk) isPickle() bool {
	switch {
	case w.namedImports() > 0, w.limit != nil, w.legacy:
		return true
	}
	return w.pickles > 0 && w.trailing < 0 && w.err == nil
}

// namedImports counts the globals imported by module and name (GLOBAL,
// STACK_GLOBAL, INST), leaving out EXT codes, which resolve only through a
// copyreg registry that is empty unless the loading program filled it.
func (w *pickleWalk) namedImports() int {
	n := 0
	for _, g := range w.globals {
		if !(g.Module == "copyreg" && strings.HasPrefix(g.Name, "extension[")) {
			n++
		}
	}
	return n
}

// walkPickles walks every pickle stacked in r (size bytes, or -1 if
// unknown). It stops at the first bytes that do not form a pickle.
func walkPickles(r io.Reader, size int64, lim Limits, cls *classifier) *pickleWalk {
	br, ok := r.(*bufio.Reader)
	if !ok {
		n := 64 << 10
		if size >= 0 && size < int64(n) {
			n = int(size)
		}
		br = bufio.NewReaderSize(r, n)
	}
	in := &input{r: br, size: size, max: lim.MaxString}
	m := newMachine(in, lim, cls)
	w := &pickleWalk{trailing: -1}
	if b, err := br.Peek(2); err == nil && b[0] == 0x80 && b[1] <= 5 {
		w.proto = true
	}
	for {
		if _, err := br.Peek(1); err != nil {
			break
		}
		start, before := in.off, len(m.globals)
		v, err := m.run()
		if err == nil {
			w.pickles++
			if w.pickles == 1 && v.kind == kInt && v.s == legacyMagic {
				w.legacy = true
			}
			continue
		}
		switch {
		case errors.Is(err, errLimit):
			w.limit = err
		case w.pickles == 0 || len(m.globals) > before:
			w.err = err
		default:
			w.trailing = start
		}
		break
	}
	w.globals, w.calls, w.dynamic, w.end = m.globals, m.calls, m.dynamic, in.off
	return w
}

// findings turns the walk into findings for member. A dangerous import is
// refused under every policy; any other pickle is refused or let in (as a
// warning) by the format policy.
func (w *pickleWalk) findings(member string, policy PicklePolicy) []Finding {
	var out []Finding
	dangerous, unknown := namesOf(w.globals, ClassDangerous), namesOf(w.globals, ClassUnknown)
	f := Finding{Member: member, Format: "pickle", Globals: w.globals, Calls: w.calls}
	if len(dangerous) > 0 {
		f.Severity = SeverityDangerous
		f.Message = "dangerous: would import " + listNames(dangerous)
		if len(w.calls) > 0 {
			f.Message = "dangerous: would call " + listNames(shortCalls(w.calls))
		}
		f.Message += " when loaded: it can run arbitrary code"
		if w.dynamic {
			f.Message += " (a global is computed at load time)"
		}
	} else {
		f.Severity, f.Message = pickleVerdict(policy, importsOf(w.globals, unknown), len(unknown) > 0)
	}
	out = append(out, f)
	if w.limit != nil {
		out = append(out, Finding{Member: member, Format: "pickle", Severity: SeverityUnscannable,
			Message: "pickle not fully scanned: " + w.limit.Error()})
	}
	if w.err != nil {
		out = append(out, Finding{Member: member, Format: "pickle", Severity: SeverityInvalid,
			Message: "pickle stream is malformed: " + w.err.Error()})
	}
	if w.trailing >= 0 && !w.legacy {
		out = append(out, Finding{Member: member, Format: "pickle", Severity: SeverityInfo,
			Message: fmt.Sprintf("data after the last pickle (offset %d) is not a pickle and was not scanned as one", w.trailing)})
	}
	return out
}

// pickleVerdict applies the format policy to a pickle without dangerous
// imports; imports describes what it imports, unknown says whether some of
// them are off the safe list.
func pickleVerdict(policy PicklePolicy, imports string, unknown bool) (severity, message string) {
	switch {
	case policy == PickleAllow:
		msg := "pickle allowed by format policy allow (" + imports + ")"
		if unknown {
			msg += ": loading it runs code lockstep cannot vouch for"
		}
		return SeverityAllowed, msg
	case policy == PickleAllowSafe && !unknown:
		return SeverityAllowed, "pickle allowed by format policy allow-safe (" + imports + ")"
	case policy == PickleAllowSafe:
		return SeverityRefused, "refused by format policy allow-safe: pickle (" + imports + "): convert the file to a safe format or list the globals as safe"
	}
	return SeverityRefused, "refused by format policy: pickle (" + imports + "): convert the file to a safe format"
}

// importsOf describes a pickle's imports: "imports nothing", "imports only
// a.b, c.d" (all safe) or "imports x.y, not on the safe list".
func importsOf(gs []Global, unknown []string) string {
	switch {
	case len(unknown) > 0:
		return "imports " + listNames(unknown) + ", " + OffSafeList
	case len(gs) > 0:
		return "imports only " + listNames(namesOf(gs, ClassSafe))
	}
	return "imports nothing"
}

// shortCalls cuts reconstructed calls to a length that fits on a line.
func shortCalls(calls []string) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		c = strings.TrimSpace(c)
		if len(c) > 100 {
			c = c[:97] + "..."
		}
		out[i] = c
	}
	return out
}

func namesOf(gs []Global, class string) []string {
	var out []string
	for _, g := range gs {
		if g.Class == class {
			out = append(out, g.String())
		}
	}
	return out
}

func listNames(names []string) string {
	if len(names) > 5 {
		return strings.Join(names[:5], ", ") + fmt.Sprintf(" and %d more", len(names)-5)
	}
	return strings.Join(names, ", ")
}
