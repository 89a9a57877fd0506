package oci

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Media and artifact types of the CNCF ModelPack specification, of OCI
// and of cosign's bundle specification.
const (
	ArtifactTypeModel      = "application/vnd.cncf.model.manifest.v1+json"
	MediaTypeModelConfig   = "application/vnd.cncf.model.config.v1+json"
	MediaTypeWeight        = "application/vnd.cncf.model.weight.v1.raw"
	MediaTypeWeightConfig  = "application/vnd.cncf.model.weight.config.v1.raw"
	MediaTypeDoc           = "application/vnd.cncf.model.doc.v1.raw"
	MediaTypeCode          = "application/vnd.cncf.model.code.v1.raw"
	AnnotationFilepath     = "org.cncf.model.filepath"
	AnnotationFileMetadata = "org.cncf.model.file.metadata+json"
	AnnotationUntested     = "org.cncf.model.file.mediatype.untested"

	// ArtifactTypeBundle marks a referrer holding one Sigstore bundle.
	ArtifactTypeBundle = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// AnnotationBundleContent is "dsse-envelope" for an attestation.
	AnnotationBundleContent = "dev.sigstore.bundle.content"
	// AnnotationPredicateType repeats the bundled statement's predicate type.
	AnnotationPredicateType = "dev.sigstore.bundle.predicateType"

	// AnnotationSubject names the stored tree or file the model's layers
	// make up (sha256:...): what the run's provenance names. It is a hint
	// for people; verification recomputes it from the layers.
	AnnotationSubject = "dev.lockstep.subject"
	// AnnotationRun names the run that made the model.
	AnnotationRun = "dev.lockstep.run"

	mediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	mediaTypeEmpty    = "application/vnd.oci.empty.v1+json"
	annotationCreated = "org.opencontainers.image.created"
	// annotationTitle names a layer's file for oras and other OCI tools.
	annotationTitle = "org.opencontainers.image.title"
)

// emptyJSON is the OCI empty descriptor's content.
var emptyJSON = []byte("{}")

// Info describes a model in its ModelPack config and the manifest's
// annotations. Created should be when the run finished, so that the same
// output pushed twice has one manifest digest.
type Info struct {
	Name     string    // e.g. the repository's last component
	Version  string    // e.g. the tag
	Revision string    // the git commit of the code that made it, if known
	Run      string    // the run's ID
	Created  time.Time // when the model was made
}

// File is one file of a model: one raw layer.
type File struct {
	Path      string // slash-separated, relative to the model's root
	Digest    core.Digest
	Size      int64
	Mode      uint32 // permission bits
	MediaType string
}

// Model is a model laid out as an OCI artifact: its manifest, config and
// files. Subject is the stored tree (or, for a single-file model, the
// file) its layers make up; Digest is the manifest's.
type Model struct {
	Manifest []byte
	Digest   core.Digest
	Config   []byte
	Files    []File
	Subject  core.Digest
	// Single is set for a model that is one file rather than a folder.
	Single bool
}

// NewTreeModel lays out the stored tree t (digest d) as a model. Only
// regular files can be layers: a tree with a symlink or an empty folder is
// refused, since leaving either out would change the digest its provenance
// names.
func NewTreeModel(d core.Digest, t *core.Tree, info Info) (*Model, error) {
	if len(t.Entries) == 0 {
		return nil, fmt.Errorf("model %s is an empty folder: nothing to push", d.Short())
	}
	files := make([]File, 0, len(t.Entries))
	for _, e := range t.Entries {
		if e.Kind != core.KindFile {
			what := "a symlink"
			if e.Kind == core.KindDir {
				what = "an empty folder"
			}
			return nil, fmt.Errorf("model %s: %s is %s; an OCI model carries regular files only: replace it in the step's output and run again", d.Short(), e.Path, what)
		}
		files = append(files, File{Path: e.Path, Digest: e.Digest, Size: e.Size, Mode: e.Mode & 0o777, MediaType: mediaTypeOf(e.Path)})
	}
	return newModel(d, files, false, info)
}

// NewFileModel lays out the stored file d of size n as a one-layer model
// named name.
func NewFileModel(d core.Digest, n int64, name string, info Info) (*Model, error) {
	if err := core.ValidRelPath(name); err != nil || strings.Contains(name, "/") {
		return nil, fmt.Errorf("model file name %q: want a plain file name", name)
	}
	return newModel(d, []File{{Path: name, Digest: d, Size: n, Mode: 0o644, MediaType: mediaTypeOf(name)}}, true, info)
}

func newModel(subject core.Digest, files []File, single bool, info Info) (*Model, error) {
	cfg, err := modelConfig(files, info)
	if err != nil {
		return nil, err
	}
	m := manifest{
		SchemaVersion: 2,
		MediaType:     mediaTypeManifest,
		ArtifactType:  ArtifactTypeModel,
		Config:        descriptor{MediaType: MediaTypeModelConfig, Digest: core.DigestOf(cfg), Size: int64(len(cfg))},
		Annotations:   map[string]string{AnnotationSubject: string(subject)},
	}
	if info.Run != "" {
		m.Annotations[AnnotationRun] = info.Run
	}
	if !info.Created.IsZero() {
		m.Annotations[annotationCreated] = info.Created.UTC().Format(time.RFC3339)
	}
	for _, f := range files {
		meta, err := json.Marshal(fileMetadata{Name: f.Path, Mode: f.Mode, Size: f.Size, ModTime: time.Unix(0, 0).UTC(), Typeflag: '0'})
		if err != nil {
			return nil, err
		}
		ann := map[string]string{AnnotationFilepath: f.Path, AnnotationFileMetadata: string(meta), annotationTitle: f.Path}
		if _, known := knownMediaType(f.Path); !known {
			ann[AnnotationUntested] = "true"
		}
		m.Layers = append(m.Layers, descriptor{MediaType: f.MediaType, Digest: f.Digest, Size: f.Size, Annotations: ann})
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return &Model{Manifest: raw, Digest: core.DigestOf(raw), Config: cfg, Files: files, Subject: subject, Single: single}, nil
}

// modelConfig is the ModelPack config of files: its diffIds are the raw
// layers' digests.
func modelConfig(files []File, info Info) ([]byte, error) {
	c := modelPackConfig{ModelFS: modelFS{Type: "layers", DiffIDs: make([]core.Digest, len(files))}}
	c.Descriptor.Name, c.Descriptor.Version, c.Descriptor.Revision = info.Name, info.Version, info.Revision
	if !info.Created.IsZero() {
		c.Descriptor.CreatedAt = info.Created.UTC().Format(time.RFC3339)
	}
	for i, f := range files {
		c.ModelFS.DiffIDs[i] = f.Digest
	}
	c.Config.Format = formatOf(files)
	return json.Marshal(c)
}

// TreeDigest returns the digest of the stored tree the model's files make
// up (for a single-file model, the file's digest): what its provenance
// must name.
func (m *Model) TreeDigest() core.Digest {
	if m.Single {
		return m.Files[0].Digest
	}
	entries := make([]core.TreeEntry, len(m.Files))
	for i, f := range m.Files {
		entries[i] = core.TreeEntry{Path: f.Path, Kind: core.KindFile, Mode: f.Mode, Size: f.Size, Digest: f.Digest}
	}
	return store.TreeDigest(core.NewTree(entries))
}

// mediaTypeOf says what kind of model file name is, by its name.
func mediaTypeOf(name string) string {
	t, _ := knownMediaType(name)
	return t
}

// knownMediaType returns the media type of a file named name, and whether
// the name told it; an unknown file counts as weights, marked untested.
func knownMediaType(name string) (string, bool) {
	base := strings.ToLower(path.Base(name))
	ext := path.Ext(base)
	switch {
	case strings.HasPrefix(base, "readme"), strings.HasPrefix(base, "license"), strings.HasPrefix(base, "notice"),
		ext == ".md", ext == ".txt" && !strings.HasPrefix(base, "merges"), ext == ".rst":
		return MediaTypeDoc, true
	case ext == ".py", ext == ".sh", ext == ".ipynb":
		return MediaTypeCode, true
	case ext == ".json", ext == ".yaml", ext == ".yml", ext == ".toml", base == "merges.txt", strings.HasPrefix(base, "vocab."),
		ext == ".model" && strings.Contains(base, "tokenizer"):
		return MediaTypeWeightConfig, true
	}
	switch ext {
	case ".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".onnx", ".gguf", ".ggml", ".h5", ".keras", ".pb",
		".tflite", ".npz", ".npy", ".msgpack", ".joblib", ".skops", ".params", ".parquet":
		return MediaTypeWeight, true
	}
	return MediaTypeWeight, false
}

// formatOf names the weights' format when the files agree on one.
func formatOf(files []File) string {
	format := ""
	for _, f := range files {
		if f.MediaType != MediaTypeWeight {
			continue
		}
		var this string
		switch path.Ext(strings.ToLower(f.Path)) {
		case ".safetensors":
			this = "safetensors"
		case ".onnx":
			this = "onnx"
		case ".gguf":
			this = "gguf"
		case ".pt", ".pth":
			this = "pt"
		case ".keras", ".h5":
			this = "keras"
		default:
			continue
		}
		if format != "" && format != this {
			return ""
		}
		format = this
	}
	return format
}

// manifest is an OCI image manifest (v1.1: artifactType, subject).
type manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	ArtifactType  string            `json:"artifactType,omitempty"`
	Config        descriptor        `json:"config"`
	Layers        []descriptor      `json:"layers"`
	Subject       *descriptor       `json:"subject,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// descriptor is an OCI content descriptor.
type descriptor struct {
	MediaType    string            `json:"mediaType"`
	Digest       core.Digest       `json:"digest"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifactType,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
}

// fileMetadata is ModelPack's org.cncf.model.file.metadata+json value.
type fileMetadata struct {
	Name     string    `json:"name"`
	Mode     uint32    `json:"mode"`
	UID      uint32    `json:"uid"`
	GID      uint32    `json:"gid"`
	Size     int64     `json:"size"`
	ModTime  time.Time `json:"mtime"`
	Typeflag byte      `json:"typeflag"`
}

// modelPackConfig is the application/vnd.cncf.model.config.v1+json
// document.
type modelPackConfig struct {
	Descriptor struct {
		CreatedAt string `json:"createdAt,omitempty"`
		Name      string `json:"name,omitempty"`
		Version   string `json:"version,omitempty"`
		Revision  string `json:"revision,omitempty"`
	} `json:"descriptor"`
	Config struct {
		Format string `json:"format,omitempty"`
	} `json:"config"`
	ModelFS modelFS `json:"modelfs"`
}

type modelFS struct {
	Type    string        `json:"type"`
	DiffIDs []core.Digest `json:"diffIds"`
}
