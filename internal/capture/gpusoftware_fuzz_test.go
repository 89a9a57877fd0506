package capture

import (
	"strings"
	"testing"
)

// The parsers of the files that say the GPU software's versions, fuzzed:
// they never panic, and whatever they return has a version's shape and
// comes from their input.

func FuzzLDCache(f *testing.F) {
	f.Add(ldCacheBytes([][2]string{{"libcudnn.so.8", "/usr/lib/libcudnn.so.8"}, {"libc.so.6", "/lib/libc.so.6"}}, false))
	f.Add(ldCacheBytes([][2]string{{"libcudart.so.12", "/usr/local/cuda/lib64/libcudart.so.12"}}, true))
	f.Add([]byte(ldOldMagic + "\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := parseLDCache(b)
		if err != nil {
			return
		}
		if len(entries)*ldNewEntry > len(b) {
			t.Fatalf("%d entries from %d bytes", len(entries), len(b))
		}
		for _, e := range entries {
			if !strings.Contains(string(b), e.Name+"\x00") || !strings.Contains(string(b), e.Path+"\x00") || len(e.Path) > maxLDString {
				t.Fatalf("entry %q is not a string of the input", e)
			}
		}
	})
}

func FuzzGPUVersionFiles(f *testing.F) {
	f.Add(procVersion)
	f.Add("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  535.129.03  Release Build  (dvs-builder@U16)\n")
	f.Add(cudnnHeader)
	f.Add(versionJSON)
	f.Add("CUDA Version 10.2.89\n")
	f.Add("cuda: Optional[str] = '12.1'\nhip = '5.7.31921-d1770ee1b'\n")
	f.Add("build_info = {'cuda_version': '12.3', 'cudnn_version': '8', 'rocm_version': '6.0'}\n")
	f.Fuzz(func(t *testing.T, text string) {
		versions := func(parse func(string) (string, error)) {
			v, err := parse(text)
			if err == nil && v != "" && (!versionShape.MatchString(v) || !strings.Contains(text, strings.Split(v, ".")[0])) {
				t.Fatalf("version %q from %q", v, text)
			}
		}
		versions(func(s string) (string, error) { return parseNvidiaDriver(strings.NewReader(s)) })
		versions(func(s string) (string, error) { return parseCUDAVersionJSON(strings.NewReader(s)) })
		versions(func(s string) (string, error) { return parseCUDAVersionTxt(strings.NewReader(s)) })
		versions(func(s string) (string, error) { return parseCuDNNHeader(strings.NewReader(s)) })
		b, err := parsePyBuild(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, v := range []string{b.CUDA, b.CuDNN, b.HIP} {
			if v != "" && (!buildShape.MatchString(v) || !strings.Contains(text, v)) {
				t.Fatalf("build version %q from %q", v, text)
			}
		}
	})
}
