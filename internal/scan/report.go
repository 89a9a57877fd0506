package scan

// Verdict is the outcome of scanning one file.
type Verdict string

// The verdicts, from best to worst.
const (
	// Clean means nothing unsafe was found and every safe format validated.
	Clean Verdict = "clean"
	// Allowed means the file holds a pickle that is refused by default but
	// that Options.Pickle lets in: a warning to record in provenance.
	Allowed Verdict = "allowed"
	// Invalid means the file claims a safe format but fails its validation.
	Invalid Verdict = "invalid"
	// Refused means the file holds a pickle without a dangerous import that
	// the format policy (Options.Pickle) does not let in.
	Refused Verdict = "refused"
	// Unscannable means part of the file could not be inspected.
	Unscannable Verdict = "unscannable"
	// Unsafe means loading the file could run code.
	Unsafe Verdict = "unsafe"
)

// OffSafeList is the phrase of a pickle finding whose imports are not all
// on the safe list; a pickle whose findings lack it imports nothing or only
// safe-listed globals.
const OffSafeList = "not on the safe list"

// Severities of a finding.
const (
	SeverityDangerous   = "dangerous"
	SeverityRefused     = "refused"
	SeverityAllowed     = "allowed"
	SeverityInvalid     = "invalid"
	SeverityUnscannable = "unscannable"
	SeverityInfo        = "info"
)

// Classes of an imported callable.
const (
	ClassDangerous = "dangerous"
	ClassUnknown   = "unknown"
	ClassSafe      = "safe"
)

// Report is the result of scanning one file.
type Report struct {
	// Path is the file's path (File) or the name given to Reader.
	Path string `json:"path"`
	// Format is what the content is: "pickle", "pytorch-zip",
	// "pytorch-legacy", "pytorch-tar", "zip", "npz", "keras", "tar", "npy",
	// "safetensors", "parquet", "avro", "csv", "json", "hdf5", "onnx",
	// "gzip", "bz2", "xz", "lzma", "zlib", "lz4", "zstd", "7z", "rar",
	// "text" or "unknown".
	Format   string    `json:"format"`
	Verdict  Verdict   `json:"verdict"`
	Findings []Finding `json:"findings,omitempty"`
	// Summary counts rows, columns and tensors of the safe formats.
	Summary *Summary `json:"summary,omitempty"`
}

// Finding is one observation about a file or a member inside it.
type Finding struct {
	// Member is the path inside a container, "archive/data.pkl"; members
	// of nested containers are joined with "!": "inner.zip!data.pkl".
	Member string `json:"member,omitempty"`
	// Format is the format of the member the finding is about.
	Format string `json:"format"`
	// Severity is one of the Severity constants.
	Severity string `json:"severity"`
	// Message is one line a user understands.
	Message string `json:"message"`
	// Globals lists a pickle's imports in the order they appear.
	Globals []Global `json:"globals,omitempty"`
	// Calls reconstructs calls of globals that are not safe, as Python:
	// "os.system('curl x | sh')".
	Calls []string `json:"calls,omitempty"`
}

// Global is a callable or class a pickle imports when it is loaded.
type Global struct {
	Module string `json:"module"`
	Name   string `json:"name"`
	Class  string `json:"class"`
}

// String returns the dotted name of the global, "module.name".
func (g Global) String() string { return g.Module + "." + g.Name }

// Summary counts what a safe format holds.
type Summary struct {
	Rows    int64 `json:"rows,omitempty"`
	Columns int64 `json:"columns,omitempty"`
	Tensors int64 `json:"tensors,omitempty"`
}

// Failed reports whether the file must be refused: its verdict is unsafe,
// refused, invalid or unscannable.
func (r *Report) Failed() bool {
	switch r.Verdict {
	case Unsafe, Refused, Invalid, Unscannable:
		return true
	}
	return false
}

// verdictOf derives the verdict from the findings.
// The pickle findings already carry the format policy's decision.
func verdictOf(findings []Finding) Verdict {
	var dangerous, refused, allowed, unscannable, invalid bool
	for _, f := range findings {
		switch f.Severity {
		case SeverityDangerous:
			dangerous = true
		case SeverityRefused:
			refused = true
		case SeverityAllowed:
			allowed = true
		case SeverityUnscannable:
			unscannable = true
		case SeverityInvalid:
			invalid = true
		}
	}
	switch {
	case dangerous:
		return Unsafe
	case unscannable:
		return Unscannable
	case refused:
		return Refused
	case invalid:
		return Invalid
	case allowed:
		return Allowed
	}
	return Clean
}

// addSummary adds counts to the report's summary.
func (r *Report) addSummary(rows, cols, tensors int64) {
	if rows == 0 && cols == 0 && tensors == 0 {
		return
	}
	if r.Summary == nil {
		r.Summary = &Summary{}
	}
	r.Summary.Rows += rows
	if cols > r.Summary.Columns {
		r.Summary.Columns = cols
	}
	r.Summary.Tensors += tensors
}
