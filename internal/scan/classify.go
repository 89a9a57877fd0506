package scan

import "strings"

// dangerousGlobals lists modules and callables whose import or call can run
// code, touch files or the network. An entry matches the dotted name of a
// global and every name below it: "os" matches os.system and os.path.join.
// It merges the published blocklists of picklescan and modelscan with the
// loaders that would recursively unpickle (torch.load, numpy.load, ...).
var dangerousGlobals = setOf(
	// process, shell and interpreter control
	"os", "posix", "nt", "subprocess", "sys", "commands", "popen2", "pty",
	"_posixsubprocess", "_winapi", "signal", "resource", "fcntl", "platform.popen",
	"multiprocessing", "_multiprocessing", "threading", "_thread", "concurrent",
	"asyncio", "_asyncio", "ctypes", "_ctypes", "cffi", "mmap",
	// code execution and import machinery
	"builtins.eval", "builtins.exec", "builtins.compile", "builtins.getattr",
	"builtins.setattr", "builtins.delattr", "builtins.open", "builtins.__import__",
	"builtins.breakpoint", "builtins.input", "builtins.globals", "builtins.locals",
	"builtins.vars", "builtins.apply", "builtins.execfile", "builtins.file",
	"builtins.reload", "builtins.help", "builtins.type", "builtins.memoryview",
	"runpy", "pydoc", "pip", "ensurepip", "venv", "site", "imp", "importlib",
	"zipimport", "pkgutil", "marshal", "types", "code", "codeop", "bdb", "pdb",
	"trace", "cProfile", "profile", "timeit", "doctest", "inspect", "idlelib",
	"lib2to3", "distutils", "setuptools", "sysconfig", "copyreg.add_extension",
	"functools.partial", "functools.reduce", "operator.attrgetter",
	"operator.methodcaller", "operator.call", "_operator.attrgetter",
	"_operator.methodcaller", "uuid._*", "_osx_support", "_aix_support",
	"_bootlocale", "gc", "weakref", "atexit", "sitecustomize", "usercustomize",
	// nested deserialisation
	"pickle", "_pickle", "cPickle", "pickletools", "dill", "cloudpickle",
	"shelve", "joblib.load", "joblib.numpy_pickle.load", "torch.load",
	"torch.serialization.load", "torch.storage._load_from_bytes",
	"numpy.load", "numpy.lib.npyio", "numpy.lib._npyio_impl", "pandas.read_pickle",
	"pandas.io.pickle", "yaml.load", "yaml.unsafe_load", "jsonpickle",
	// files and the network
	"io", "_io", "codecs.open", "fileinput", "tempfile", "glob", "shutil",
	"pathlib", "zipfile", "tarfile", "socket", "_socket", "ssl", "select",
	"selectors", "socketserver", "http", "httplib", "urllib", "urllib2",
	"ftplib", "smtplib", "telnetlib", "poplib", "imaplib", "nntplib",
	"xmlrpc", "webbrowser", "requests", "aiohttp", "urllib3", "logging.config",
	// library helpers that reach the above
	"torch.hub", "torch.jit", "torch._dynamo", "torch._inductor",
	"torch.utils.cpp_extension", "torch.package", "torch._C._jit",
	"torch.fx.experimental.symbolic_shapes", "torch.distributed",
	"numpy.f2py", "numpy.distutils", "numpy.testing", "numpy.ctypeslib",
	"tensorflow.io", "tensorflow.python.io", "tensorflow.python.ops.io_ops",
	"tensorflow.python.ops.script_ops", "keras.utils.get_file",
	"_sqlite3", "sqlite3",
)

// safeGlobals lists callables that loading tensors, arrays and plain
// containers needs and that cannot reach anything dangerous by themselves.
var safeGlobals = setOf(
	"collections.OrderedDict", "collections.defaultdict", "collections.deque",
	"collections.Counter", "builtins.set", "builtins.frozenset",
	"builtins.bytearray", "builtins.slice", "builtins.complex", "builtins.range",
	"builtins.int", "builtins.float", "builtins.bool", "builtins.str",
	"builtins.bytes", "builtins.tuple", "builtins.list", "builtins.dict",
	"builtins.object", "builtins.Ellipsis", "builtins.NotImplemented",
	"copyreg._reconstructor", "_codecs.encode", "datetime.datetime",
	"datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
	"decimal.Decimal", "fractions.Fraction",
	"torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
	"torch._utils._rebuild_tensor_v3", "torch._utils._rebuild_parameter",
	"torch._utils._rebuild_parameter_with_state", "torch._utils._rebuild_qtensor",
	"torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_nested_tensor",
	"torch._utils._rebuild_meta_tensor_no_storage",
	"torch._utils._rebuild_wrapper_subclass", "torch._tensor._rebuild_from_type_v2",
	"torch.storage.UntypedStorage", "torch.storage.TypedStorage",
	"torch.Size", "torch.device", "torch.Tensor", "torch.nn.parameter.Parameter",
	"torch.serialization._get_layout", "torch.strided", "torch.sparse_coo",
	"torch.contiguous_format", "torch.channels_last", "torch.preserve_format",
	"numpy.core.multiarray._reconstruct", "numpy.core.multiarray.scalar",
	"numpy._core.multiarray._reconstruct", "numpy._core.multiarray.scalar",
	"numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
	"numpy.dtype", "numpy.ndarray", "joblib.numpy_pickle.NumpyArrayWrapper",
)

func init() {
	for _, kind := range []string{"Float", "Double", "Half", "BFloat16", "Long",
		"Int", "Short", "Char", "Byte", "Bool", "ComplexFloat", "ComplexDouble",
		"QUInt8", "QInt8", "QInt32", "QUInt4x2", "QUInt2x4"} {
		safeGlobals["torch."+kind+"Storage"] = true
	}
	for _, dt := range []string{"float16", "float32", "float64", "bfloat16",
		"half", "float", "double", "complex64", "complex128", "cfloat", "cdouble",
		"uint8", "int8", "int16", "int32", "int64", "short", "int", "long", "bool",
		"qint8", "quint8", "qint32", "float8_e4m3fn", "float8_e5m2"} {
		safeGlobals["torch."+dt] = true
	}
}

// moduleAliases maps Python 2 module names to the Python 3 modules pickle's
// compatibility layer loads instead.
var moduleAliases = map[string]string{
	"__builtin__": "builtins", "__builtins__": "builtins", "exceptions": "builtins",
	"copy_reg": "copyreg", "cPickle": "pickle", "_operator": "operator",
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// classifier decides the class of a global, with the user's allow list.
type classifier struct {
	allow map[string]bool
}

func newClassifier(allow []string) *classifier {
	return &classifier{allow: setOf(allow...)}
}

// classify returns ClassDangerous, ClassSafe or ClassUnknown for the global
// module.name. Every dotted prefix of the full name is matched.
func (c *classifier) classify(module, name string) string {
	if module == "" || name == "" || strings.HasPrefix(module, "?") {
		return ClassDangerous
	}
	if c.allowed(module, module+"."+name) {
		return ClassSafe
	}
	if a, ok := moduleAliases[module]; ok {
		module = a
	}
	full := module + "." + name
	if c.allowed(module, full) {
		return ClassSafe
	}
	if matchPrefix(dangerousGlobals, full) {
		return ClassDangerous
	}
	if safeGlobals[full] {
		return ClassSafe
	}
	return ClassUnknown
}

// allowed reports whether the user's allow list names full exactly, or
// names module or a package above it with ".*".
func (c *classifier) allowed(module, full string) bool {
	if c.allow[full] {
		return true
	}
	for i := 0; i <= len(module); i++ {
		if (i == len(module) || module[i] == '.') && c.allow[module[:i]+".*"] {
			return true
		}
	}
	return false
}

// matchPrefix reports whether set holds full or one of its dotted prefixes,
// either literally or as "prefix._*" for private names.
func matchPrefix(set map[string]bool, full string) bool {
	for i := 0; i <= len(full); i++ {
		if i < len(full) && full[i] != '.' {
			continue
		}
		prefix := full[:i]
		if set[prefix] {
			return true
		}
		if i < len(full) && strings.HasPrefix(full[i+1:], "_") && set[prefix+"._*"] {
			return true
		}
	}
	return false
}
