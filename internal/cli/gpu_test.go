package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGPULibrariesOnLibraryPath: a CUDA runtime in a folder of the step's
// LD_LIBRARY_PATH is in its environment record, shown by env and listed
// by the SBOM; a step run without it records no GPU software. (A confined
// step does not see the project's folder at its host path, so the step
// runs unconfined.)
func TestGPULibrariesOnLibraryPath(t *testing.T) {
	p := newProject(t, "flow: g\nsteps:\n  s: {run: \"true\", sandbox: none}\n", nil)
	lib := filepath.Join(p.dir, "cuda", "lib64")
	if err := os.MkdirAll(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lib, "libcudart.so.12.4.127"), []byte("elf"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("libcudart.so.12.4.127", filepath.Join(lib, "libcudart.so.12")); err != nil {
		t.Fatal(err)
	}
	p.environ = setEnv(p.environ, "LD_LIBRARY_PATH", lib)
	p.mustRun(0, "run")
	env := p.mustRun(0, "env", "last", "s").stdout
	if want := "cuda-runtime 12.4.127 (LD_LIBRARY_PATH: " + filepath.Join(lib, "libcudart.so.12.4.127") + ")"; !strings.Contains(env, want) {
		t.Errorf("env does not show %q:\n%s", want, env)
	}
	if sbom := p.mustRun(0, "sbom", "last", "s").stdout; !strings.Contains(sbom, `"purl":"pkg:generic/nvidia/cuda-runtime@12.4.127"`) {
		t.Errorf("the SBOM lists no CUDA runtime (%d bytes)", len(sbom))
	}
	p.environ = setEnv(p.environ, "LD_LIBRARY_PATH", "")
	p.mustRun(0, "run")
	if env := p.mustRun(0, "env", "last", "s").stdout; strings.Contains(env, "cuda") || strings.Contains(env, "gpu lib") {
		t.Errorf("a step without the library records GPU software:\n%s", env)
	}
}
