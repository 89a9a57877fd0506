package scan

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"os/exec"
	"testing"

	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
	"google.golang.org/protobuf/encoding/protowire"
)

func gzipOf(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func zlibOf(b []byte) []byte {
	var out bytes.Buffer
	w := zlib.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func xzOf(b []byte) []byte {
	var out bytes.Buffer
	w, _ := xz.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func lzmaOf(b []byte) []byte {
	var out bytes.Buffer
	w, _ := lzma.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func lz4Of(b []byte) []byte {
	var out bytes.Buffer
	w := lz4.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// bz2Of compresses with the system's bzip2 tool (the Go library only reads).
func bz2Of(t *testing.T, b []byte) []byte {
	cmd := exec.Command("bzip2", "-c")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("bzip2 tool not available (install the Debian package bzip2): %v", err)
	}
	return out
}

// tarOf builds a tar archive of the given name/content pairs.
func tarOf(files ...string) []byte {
	var out bytes.Buffer
	w := tar.NewWriter(&out)
	for i := 0; i+1 < len(files); i += 2 {
		w.WriteHeader(&tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1])), Typeflag: tar.TypeReg})
		w.Write([]byte(files[i+1]))
	}
	w.Close()
	return out.Bytes()
}

// onnxModel builds a minimal ONNX ModelProto whose graph has one
// initializer per location, stored as external data at that location.
// An empty location makes an initializer with inline raw data.
func onnxModel(locations ...string) []byte {
	var graph []byte
	graph = protowire.AppendTag(graph, 2, protowire.BytesType)
	graph = protowire.AppendString(graph, "g")
	for i, loc := range locations {
		var t []byte
		t = protowire.AppendTag(t, 1, protowire.VarintType)
		t = protowire.AppendVarint(t, 4)
		t = protowire.AppendTag(t, 2, protowire.VarintType)
		t = protowire.AppendVarint(t, 1)
		t = protowire.AppendTag(t, 8, protowire.BytesType)
		t = protowire.AppendString(t, "w"+string(rune('0'+i)))
		if loc == "" {
			t = protowire.AppendTag(t, 9, protowire.BytesType)
			t = protowire.AppendBytes(t, make([]byte, 16))
		} else {
			for _, kv := range [][2]string{{"location", loc}, {"offset", "0"}} {
				var e []byte
				e = protowire.AppendTag(e, 1, protowire.BytesType)
				e = protowire.AppendString(e, kv[0])
				e = protowire.AppendTag(e, 2, protowire.BytesType)
				e = protowire.AppendString(e, kv[1])
				t = protowire.AppendTag(t, 13, protowire.BytesType)
				t = protowire.AppendBytes(t, e)
			}
			t = protowire.AppendTag(t, 14, protowire.VarintType)
			t = protowire.AppendVarint(t, 1)
		}
		graph = protowire.AppendTag(graph, 5, protowire.BytesType)
		graph = protowire.AppendBytes(graph, t)
	}
	var m []byte
	m = protowire.AppendTag(m, 1, protowire.VarintType)
	m = protowire.AppendVarint(m, 8)
	m = protowire.AppendTag(m, 2, protowire.BytesType)
	m = protowire.AppendString(m, "lockstep-test")
	m = protowire.AppendTag(m, 7, protowire.BytesType)
	m = protowire.AppendBytes(m, graph)
	return m
}

// hdf5With builds bytes that start like an HDF5 file and hold a Keras
// model_config attribute value, as h5py stores it inline.
func hdf5With(config string) []byte {
	b := []byte("\x89HDF\r\n\x1a\n\x00\x00\x00\x00")
	b = append(b, make([]byte, 500)...)
	b = append(b, "model_config\x00\x00\x00\x00"...)
	b = append(b, config...)
	return append(b, make([]byte, 300)...)
}

// kerasConfig is a Keras functional model configuration; with lambda it
// holds a Lambda layer.
func kerasConfig(lambda bool) string {
	layer := `{"class_name": "Dense", "config": {"name": "dense", "units": 1}}`
	if lambda {
		layer = `{"class_name": "Lambda", "config": {"name": "evil", "function": ["4wEAAAAAAAAA", null, null]}}`
	}
	return `{"class_name": "Sequential", "config": {"name": "m", "layers": [` + layer + `]}}`
}
