package capture

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// maxVersionFile bounds what is read of a version file, header or Python
// module that says a version: the real ones are a few kilobytes (cuDNN 7's
// cudnn.h, the largest, about 100 KiB).
const maxVersionFile = 1 << 20

// versionShape is what a recorded version may look like: digits and dots
// ("535.129.03", "12.2.140"), at most four parts.
var versionShape = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,9}){0,3}$`)

// buildShape is the looser shape of a version a framework reports, which
// may carry a build suffix ("5.7.31921-d1770ee1b" for HIP).
var buildShape = regexp.MustCompile(`^[0-9][0-9A-Za-z.+_-]{0,63}$`)

// readVersionFile calls parse with at most maxVersionFile bytes of path.
func readVersionFile[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	v, err := parse(io.LimitReader(f, maxVersionFile))
	if err != nil {
		return zero, fmt.Errorf("read %s: %w", path, err)
	}
	return v, nil
}

// parseNvidiaDriver reads the version of the NVIDIA kernel module from
// /proc/driver/nvidia/version ("NVRM version: NVIDIA UNIX x86_64 Kernel
// Module  535.129.03  Thu Oct 19 …", or the open module's "… Open Kernel
// Module for x86_64  535.129.03  Release Build …") or from
// /sys/module/nvidia/version ("535.129.03"); "" when neither shape is
// there.
func parseNvidiaDriver(r io.Reader) (string, error) {
	var v string
	err := eachLine(r, func(line string) bool {
		fields := strings.Fields(line)
		if len(fields) == 1 && versionShape.MatchString(fields[0]) {
			v = fields[0]
			return false
		}
		rest, ok := strings.CutPrefix(line, "NVRM version:")
		if !ok {
			return true
		}
		_, rest, ok = strings.Cut(rest, "Kernel Module")
		if !ok {
			return false
		}
		for _, f := range strings.Fields(rest) {
			if versionShape.MatchString(f) {
				v = f
				break
			}
		}
		return false
	})
	return v, err
}

// parseCUDAVersionJSON reads a toolkit's version.json (CUDA 11.1 and
// later): {"cuda": {"name": "CUDA SDK", "version": "12.2.2"}, …}.
func parseCUDAVersionJSON(r io.Reader) (string, error) {
	var doc map[string]struct {
		Version string `json:"version"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return "", fmt.Errorf("not a CUDA version.json: %w", err)
	}
	if v := doc["cuda"].Version; versionShape.MatchString(v) {
		return v, nil
	}
	return "", nil
}

// parseCUDAVersionTxt reads an older toolkit's version.txt: "CUDA Version
// 10.2.89".
func parseCUDAVersionTxt(r io.Reader) (string, error) {
	var v string
	err := eachLine(r, func(line string) bool {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "CUDA Version "); ok && versionShape.MatchString(strings.TrimSpace(rest)) {
			v = strings.TrimSpace(rest)
			return false
		}
		return true
	})
	return v, err
}

// parseCuDNNHeader reads cudnn_version.h (cuDNN 8 and later) or cudnn.h
// (cuDNN 7): "#define CUDNN_MAJOR 8", CUDNN_MINOR, CUDNN_PATCHLEVEL. It
// returns "8.9.2", or "" unless all three are plain numbers.
func parseCuDNNHeader(r io.Reader) (string, error) {
	parts := map[string]string{}
	err := eachLine(r, func(line string) bool {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "#define" {
			switch f[1] {
			case "CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL":
				if n, err := strconv.ParseUint(f[2], 10, 16); err == nil && parts[f[1]] == "" {
					parts[f[1]] = strconv.FormatUint(n, 10)
				}
			}
		}
		return len(parts) < 3
	})
	if len(parts) < 3 {
		return "", err
	}
	return parts["CUDNN_MAJOR"] + "." + parts["CUDNN_MINOR"] + "." + parts["CUDNN_PATCHLEVEL"], err
}

// pyAssign matches a module-level "name = 'value'" or "name: Optional[str]
// = 'value'" line of torch/version.py.
var pyAssign = regexp.MustCompile(`^(cuda|hip|cudnn)\s*(?::[^=]*)?=\s*['"]([^'"]*)['"]\s*$`)

// pyBuildKey matches a "'cuda_version': '12.2'" entry (or "('cuda_version',
// '12.2')", or "build_info['cuda_version'] = '12.2'") of tensorflow's
// build_info.py.
var pyBuildKey = regexp.MustCompile(`['"](cuda|cudnn|rocm)_version['"]\]?\s*[:,=]\s*['"]([^'"]*)['"]`)

// parsePyBuild reads what a framework's Python module says it was built
// against: torch/version.py's cuda and hip, tensorflow's build_info
// cuda_version, cudnn_version and rocm_version. Values of another shape
// than a version are dropped.
func parsePyBuild(r io.Reader) (FrameworkBuild, error) {
	var b FrameworkBuild
	set := func(key, value string) {
		if !buildShape.MatchString(value) {
			return
		}
		switch key {
		case "cuda":
			b.CUDA = value
		case "cudnn":
			b.CuDNN = value
		case "hip", "rocm":
			b.HIP = value
		}
	}
	err := eachLine(r, func(line string) bool {
		if m := pyAssign.FindStringSubmatch(line); m != nil {
			set(m[1], m[2])
		}
		for _, m := range pyBuildKey.FindAllStringSubmatch(line, 8) {
			set(m[1], m[2])
		}
		return true
	})
	return b, err
}

// libVersion returns the version in a library's file name after its
// soname stem: "12.2.140" for libcudart.so.12.2.140 and stem
// "libcudart.so.", "" when the rest is not a version.
func libVersion(file, stem string) string {
	v, ok := strings.CutPrefix(file, stem)
	if !ok || !versionShape.MatchString(v) {
		return ""
	}
	return v
}
