package sandbox

import (
	"context"
	"testing"
)

// BenchmarkStart measures what confinement adds to starting a step: the
// same /bin/true run unconfined and under bubblewrap. Compare the two
// ns/op figures for the overhead ratio.
func BenchmarkStart(b *testing.B) {
	for _, mode := range []Mode{None, Bubblewrap} {
		b.Run(string(mode), func(b *testing.B) {
			if mode == Bubblewrap {
				if err := Available(); err != nil {
					b.Skip(err)
				}
			}
			spec := Spec{Argv: []string{"/bin/true"}, Env: []string{hostPath}, Dir: "/"}
			for b.Loop() {
				cmd, err := Command(context.Background(), mode, spec)
				if err != nil {
					b.Fatal(err)
				}
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkToolchain measures resolving a pyenv python, which runs pyenv
// and the interpreter once each.
func BenchmarkToolchain(b *testing.B) {
	if !isExecutable(pyenvShimPath) {
		b.Skipf("no pyenv shim at %s", pyenvShimPath)
	}
	for b.Loop() {
		if _, err := Toolchain("python3 train.py", "/root/.pyenv/shims:/usr/bin:/bin"); err != nil {
			b.Fatal(err)
		}
	}
}
