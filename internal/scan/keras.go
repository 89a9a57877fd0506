package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// kerasZip checks the config.json of a .keras archive for Lambda layers.
func (s *scanner) kerasZip(member string, entries []*zipEntry, ra io.ReaderAt, depth int) {
	for _, e := range entries {
		if e.name != "config.json" || e.csize < 0 {
			continue
		}
		r, err := memberReader(e.method, io.NewSectionReader(ra, e.dataOff, e.csize))
		if err != nil {
			s.fail(child(member, e.name), "keras", err)
			continue
		}
		var cfg any
		err = json.NewDecoder(io.LimitReader(r, s.lim.MaxHeader)).Decode(&cfg)
		r.Close()
		if err != nil {
			s.fail(child(member, e.name), "keras", fmt.Errorf("keras config: %w", err))
			continue
		}
		s.kerasLayers(child(member, e.name), cfg)
	}
}

// kerasLayers flags every Lambda layer of a Keras model configuration: its
// function is Python bytecode that runs when the model is loaded.
func (s *scanner) kerasLayers(member string, cfg any) {
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 256 {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			if c, _ := v["class_name"].(string); c == "Lambda" || strings.HasSuffix(c, ">Lambda") {
				name := ""
				if conf, ok := v["config"].(map[string]any); ok {
					name, _ = conf["name"].(string)
				}
				s.add(Finding{Member: member, Format: "keras", Severity: SeverityDangerous,
					Message: fmt.Sprintf("Lambda layer %q holds Python code that runs when the model is loaded", name),
					Globals: []Global{{Module: "keras.layers", Name: "Lambda", Class: ClassDangerous}}})
			}
			for _, x := range v {
				walk(x, depth+1)
			}
		case []any:
			for _, x := range v {
				walk(x, depth+1)
			}
		}
	}
	walk(cfg, 0)
}

// hdf5 searches an HDF5 file for Keras model configurations (the
// model_config attribute is JSON starting with {"class_name") and checks
// them for Lambda layers. The file is read in chunks, never whole, and each
// chunk once.
func (s *scanner) hdf5(member string, ra io.ReaderAt, size int64) {
	needle := []byte(`{"class_name"`)
	buf := make([]byte, 1<<20)
	for pos := int64(0); pos < size; {
		n, _ := ra.ReadAt(buf, pos)
		if n < len(needle) {
			break
		}
		next := pos + int64(n-len(needle)+1)
		for i := 0; i < n; {
			j := bytes.Index(buf[i:n], needle)
			if j < 0 {
				break
			}
			at := pos + int64(i+j)
			end, ok := s.kerasAt(member, ra, at, size)
			if !ok {
				i += j + 1
				continue
			}
			next = max(next, end)
			if end >= pos+int64(n) {
				break
			}
			i = int(end - pos)
		}
		if n < len(buf) {
			break
		}
		pos = next
	}
}

// kerasAt parses the JSON value at offset at and checks it for Lambda
// layers; it returns the offset after the value.
func (s *scanner) kerasAt(member string, ra io.ReaderAt, at, size int64) (int64, bool) {
	dec := json.NewDecoder(io.LimitReader(io.NewSectionReader(ra, at, size-at), s.lim.MaxHeader))
	var cfg any
	if dec.Decode(&cfg) != nil {
		return 0, false
	}
	s.kerasLayers(member, cfg)
	return at + max(dec.InputOffset(), 1), true
}
