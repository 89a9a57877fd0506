package scan

import "testing"

func TestClassify(t *testing.T) {
	c := newClassifier([]string{"sklearn.*", "mypkg.models.Net", "os.getcwd"})
	cases := []struct{ module, name, want string }{
		{"os", "system", ClassDangerous},
		{"os.path", "join", ClassDangerous},
		{"osx", "thing", ClassUnknown},
		{"posix", "system", ClassDangerous},
		{"__builtin__", "getattr", ClassDangerous},
		{"__builtin__", "set", ClassSafe},
		{"builtins", "eval", ClassDangerous},
		{"builtins", "print", ClassUnknown},
		{"builtins", "frozenset", ClassSafe},
		{"uuid", "_get_command_stdout", ClassDangerous},
		{"uuid", "UUID", ClassUnknown},
		{"functools", "partial", ClassDangerous},
		{"operator", "itemgetter", ClassUnknown},
		{"_operator", "attrgetter", ClassDangerous},
		{"torch._utils", "_rebuild_tensor_v2", ClassSafe},
		{"torch", "FloatStorage", ClassSafe},
		{"torch", "bfloat16", ClassSafe},
		{"torch.hub", "load", ClassDangerous},
		{"torch.jit._script", "RecursiveScriptModule", ClassDangerous},
		{"torch.hubx", "y", ClassUnknown},
		{"numpy.core.multiarray", "_reconstruct", ClassSafe},
		{"numpy", "load", ClassDangerous},
		{"_codecs", "encode", ClassSafe},
		{"sklearn.tree._classes", "DecisionTreeClassifier", ClassSafe},
		{"mypkg.models", "Net", ClassSafe},
		{"mypkg.models", "Other", ClassUnknown},
		{"os", "getcwd", ClassSafe},
		{"", "system", ClassDangerous},
	}
	for _, tc := range cases {
		if got := c.classify(tc.module, tc.name); got != tc.want {
			t.Errorf("%s.%s: %s, want %s", tc.module, tc.name, got, tc.want)
		}
	}
}
