package version

import "testing"

// fuzzOrdering checks what every ordering must keep on any input: no
// panic, a version equals itself, and swapping arguments flips the sign.
func fuzzOrdering(f *testing.F, cmp Ordering, seeds []string) {
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, errA := cmp(a, b)
		ba, errB := cmp(b, a)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("cmp(%q, %q) err %v but reversed err %v", a, b, errA, errB)
		}
		if errA != nil {
			return
		}
		if ab != -ba || ab < -1 || ab > 1 {
			t.Fatalf("cmp(%q, %q) = %d but cmp(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if c, _ := cmp(a, a); c != 0 {
			t.Fatalf("cmp(%q, %q) = %d, want 0", a, a, c)
		}
	})
}

func FuzzPEP440(f *testing.F) { fuzzOrdering(f, ComparePEP440, packagingOrder) }

func FuzzDebian(f *testing.F) {
	var seeds []string
	for _, v := range dpkgVectors {
		seeds = append(seeds, v.a, v.b)
	}
	fuzzOrdering(f, CompareDebian, seeds)
}

func FuzzSemVer(f *testing.F) { fuzzOrdering(f, CompareSemVer, semverOrder) }
