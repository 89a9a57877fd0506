package sandbox

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestToolchainFollowsScripts checks programs outside the system set:
// a binary exposes its directory, a #! script its interpreter's.
func TestToolchainFollowsScripts(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	other := filepath.Join(root, "opt", "tool", "bin")
	for _, d := range []string{bin, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"interp", "uv"} {
		if err := os.Symlink("/usr/bin/true", filepath.Join(other, name)); err != nil {
			t.Fatal(err)
		}
	}
	scripts := map[string]string{
		"viaenv":   "#!/usr/bin/env -S interp --flag\n",
		"direct":   "#!" + filepath.Join(other, "interp") + " -x\n",
		"systemsh": "#!/bin/sh\necho hi\n",
		"loop":     "#!/usr/bin/env loop\n",
	}
	for name, text := range scripts {
		if err := chmodX(writeFile(t, bin, name, text)); err != nil {
			t.Fatal(err)
		}
	}
	path := bin + ":" + other + ":/usr/bin:/bin"
	tests := []struct {
		command string
		want    []string
	}{
		{"ls -l && sh -c true", nil},
		{"/usr/bin/python3 train.py", nil},
		{"interp", []string{other}},
		{"viaenv a b", []string{bin, other}},
		{"direct", []string{bin, other}},
		{"systemsh", []string{bin}},
		{"loop", []string{bin}},
		{"cd sub; ./local.sh; missing-program", nil},
		{"direct; interp | viaenv", []string{bin, other}},
		{"timeout 60 nice -n 5 viaenv", []string{bin, other}},
		{"sh -c 'cd sub && direct'", []string{bin, other}},
		{"uv run --with numpy /usr/bin/python3 x.py", []string{other}},
	}
	for _, tc := range tests {
		got, err := Toolchain(tc.command, path)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Toolchain(%q) = %q, %v; want %q", tc.command, got, err, tc.want)
		}
	}
}

func TestShebang(t *testing.T) {
	tests := []struct {
		head string
		want string
		ok   bool
	}{
		{"#!/usr/bin/python3\nimport x", "/usr/bin/python3", true},
		{"#! /usr/bin/env python3 -u\n", "python3", true},
		{"#!/usr/bin/env -S A=1 python3 -u\n", "python3", true},
		{"#!/usr/bin/env\n", "", false},
		{"#!\n", "", false},
		{"\x7fELF\x02\x01", "", false},
	}
	for _, tc := range tests {
		got, ok := shebang([]byte(tc.head))
		if got != tc.want || ok != tc.ok {
			t.Errorf("shebang(%q) = %q, %v; want %q, %v", tc.head, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMinimalDirs(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"/opt/py/lib", "/opt/py", "/opt/py"}, []string{"/opt/py"}},
		{[]string{"/opt/a-b", "/opt/a/bin", "/opt/a"}, []string{"/opt/a", "/opt/a-b"}},
		{[]string{"/usr/local", "/usr", "/srv/venv"}, []string{"/srv/venv"}},
		{nil, nil},
	}
	for _, tc := range tests {
		if got := minimalDirs(append([]string(nil), tc.in...)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("minimalDirs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
