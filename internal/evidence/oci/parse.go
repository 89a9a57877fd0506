package oci

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// ParseModel reads a model's manifest as a registry served it (raw, whose
// digest the caller has checked) and returns the model it describes. It
// refuses what it cannot rebuild exactly: another artifact type, layers
// that are not raw model files, a missing, unclean or repeated file path.
func ParseModel(raw []byte) (*Model, error) {
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("model manifest: %w", err)
	}
	if m.MediaType != mediaTypeManifest || m.ArtifactType != ArtifactTypeModel {
		return nil, fmt.Errorf("not a model: manifest media type %q, artifact type %q (want %s, %s)", m.MediaType, m.ArtifactType, mediaTypeManifest, ArtifactTypeModel)
	}
	if m.Config.MediaType != MediaTypeModelConfig || !m.Config.Digest.Valid() {
		return nil, fmt.Errorf("model manifest: config %q %q, want %s with a sha256 digest", m.Config.MediaType, m.Config.Digest, MediaTypeModelConfig)
	}
	if len(m.Layers) == 0 {
		return nil, fmt.Errorf("model manifest: no layers")
	}
	files := make([]File, 0, len(m.Layers))
	seen := map[string]bool{}
	for i, l := range m.Layers {
		if !strings.HasPrefix(l.MediaType, "application/vnd.cncf.model.") || !strings.HasSuffix(l.MediaType, ".raw") {
			return nil, fmt.Errorf("model manifest: layer %d has media type %q; only raw model files (application/vnd.cncf.model.*.raw) can be verified file by file", i, l.MediaType)
		}
		if !l.Digest.Valid() || l.Size < 0 {
			return nil, fmt.Errorf("model manifest: layer %d: digest %q size %d", i, l.Digest, l.Size)
		}
		p := l.Annotations[AnnotationFilepath]
		if err := core.ValidRelPath(p); err != nil {
			return nil, fmt.Errorf("model manifest: layer %d: %s %q: %w", i, AnnotationFilepath, p, err)
		}
		if seen[p] {
			return nil, fmt.Errorf("model manifest: layer %d: file %q appears twice", i, p)
		}
		seen[p] = true
		mode := uint32(0o644)
		if s, ok := l.Annotations[AnnotationFileMetadata]; ok {
			var meta fileMetadata
			if err := json.Unmarshal([]byte(s), &meta); err != nil {
				return nil, fmt.Errorf("model manifest: layer %d (%s): %s: %w", i, p, AnnotationFileMetadata, err)
			}
			if meta.Typeflag != 0 && meta.Typeflag != '0' {
				return nil, fmt.Errorf("model manifest: layer %d (%s): type flag %q is not a regular file", i, p, meta.Typeflag)
			}
			mode = meta.Mode & 0o777
		}
		files = append(files, File{Path: p, Digest: l.Digest, Size: l.Size, Mode: mode, MediaType: l.MediaType})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(files); i++ {
		if strings.HasPrefix(files[i].Path, files[i-1].Path+"/") {
			return nil, fmt.Errorf("model manifest: %q is a file and a folder", files[i-1].Path)
		}
	}
	mod := &Model{Manifest: raw, Digest: core.DigestOf(raw), Files: files}
	if len(files) == 1 && m.Annotations[AnnotationSubject] == string(files[0].Digest) {
		mod.Single = true
	}
	mod.Subject = mod.TreeDigest()
	return mod, nil
}
