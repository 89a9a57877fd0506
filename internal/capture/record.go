package capture

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxMetaFile bounds a RECORD, md5sums, METADATA or direct_url.json file
// read for verification: a larger one is reported, not read.
const maxMetaFile = 64 << 20

// recordEntry is one hashed file a distribution's RECORD lists.
type recordEntry struct {
	// Path is as RECORD writes it: relative to the site directory (it may
	// climb out with "..", to a script in bin/) or absolute.
	Path string
	// Sum is "sha256:<hex>" (or sha384, sha512); "" for a file RECORD
	// lists without a hash (RECORD itself, compiled .pyc files).
	Sum string
}

// recordHashes maps the algorithms RECORD may name to their digest sizes.
var recordHashes = map[string]int{"sha256": 32, "sha384": 48, "sha512": 64}

// parseRecord reads a wheel's RECORD (PEP 376, PEP 627): CSV rows
// "path,algorithm=urlsafe-base64-digest,size". Rows without a hash (RECORD
// itself, compiled .pyc files) have an empty Sum. A malformed row fails the
// whole file with its line number: a RECORD that cannot be read cannot
// vouch for any file.
func parseRecord(r io.Reader) ([]recordEntry, error) {
	cr := csv.NewReader(io.LimitReader(r, maxMetaFile))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var out []recordEntry
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err // a csv.ParseError names the line
		}
		line, _ := cr.FieldPos(0)
		if len(row) != 3 {
			return nil, fmt.Errorf("line %d: %d fields, want path,hash,size", line, len(row))
		}
		path, hash := row[0], row[1]
		if path == "" || strings.ContainsRune(path, 0) {
			return nil, fmt.Errorf("line %d: empty or invalid path", line)
		}
		if hash == "" {
			out = append(out, recordEntry{Path: path})
			continue
		}
		algo, b64, ok := strings.Cut(hash, "=")
		size, known := recordHashes[algo]
		if !ok || !known {
			return nil, fmt.Errorf("line %d: hash %.40q is not sha256=, sha384= or sha512=", line, hash)
		}
		sum, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(b64, "="))
		if err != nil || len(sum) != size {
			return nil, fmt.Errorf("line %d: hash of %.80q is not a urlsafe-base64 %s digest", line, path, algo)
		}
		out = append(out, recordEntry{Path: path, Sum: algo + ":" + hex.EncodeToString(sum)})
	}
}

// parseMD5Sums reads a dpkg info/*.md5sums file: "<32 hex>  <path>" lines,
// paths relative to the root. A malformed line fails the file with its
// number.
func parseMD5Sums(r io.Reader) ([]recordEntry, error) {
	var out []recordEntry
	n := 0
	var bad error
	err := eachLine(io.LimitReader(r, maxMetaFile), func(line string) bool {
		n++
		if line == "" {
			return true
		}
		sum, path, ok := strings.Cut(line, "  ")
		if _, err := hex.DecodeString(sum); !ok || err != nil || len(sum) != 32 || path == "" {
			bad = fmt.Errorf("line %d: %.60q is not \"<md5>  <path>\"", n, line)
			return false
		}
		out = append(out, recordEntry{Path: "/" + strings.TrimPrefix(path, "/"), Sum: "md5:" + strings.ToLower(sum)})
		return true
	})
	if err == nil {
		err = bad
	}
	return out, err
}

// parseRequiresDist returns the distributions a core metadata file's
// Requires-Dist headers name, normalised, leaving out those required only
// by an extra ("; extra == 'test'"): they are installed only on request.
// The headers end at the first empty line; a line of blanks continues a
// long header (a License text), as Python's email parser reads it.
func parseRequiresDist(r io.Reader) ([]string, error) {
	var names []string
	err := eachLine(io.LimitReader(r, maxMetaFile), func(line string) bool {
		if line == "" {
			return false
		}
		field, value, ok := splitField(line, ':')
		if ok && strings.EqualFold(field, "Requires-Dist") {
			if name := requirementName(value); name != "" {
				names = append(names, name)
			}
		}
		return true
	})
	return names, err
}

// parseRequiresTxt reads an egg-info requires.txt: requirement lines, then
// "[extra]" sections whose requirements are optional.
func parseRequiresTxt(r io.Reader) ([]string, error) {
	var names []string
	err := eachLine(io.LimitReader(r, maxMetaFile), func(line string) bool {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			return strings.HasPrefix(line, "[:") // a marker-only section is not an extra
		}
		if name := requirementName(line); name != "" {
			names = append(names, name)
		}
		return true
	})
	return names, err
}

// requirementName returns the normalised distribution name a PEP 508
// requirement starts with, or "" for a comment, an extra's requirement or
// text that names none.
func requirementName(req string) string {
	spec, marker, _ := strings.Cut(req, ";")
	if strings.Contains(marker, "extra") {
		return ""
	}
	end := strings.IndexFunc(spec, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	})
	if end >= 0 {
		spec = spec[:end]
	}
	spec = strings.Trim(spec, "-_.")
	if spec == "" {
		return ""
	}
	return normalizeName(spec)
}

// parseDirectURL reads pip's direct_url.json (PEP 610) and returns the
// archive's digest as "sha256:<hex>" when pip recorded one.
func parseDirectURL(r io.Reader) (string, error) {
	var d struct {
		ArchiveInfo *struct {
			Hash   string            `json:"hash"`
			Hashes map[string]string `json:"hashes"`
		} `json:"archive_info"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&d); err != nil {
		return "", err
	}
	if d.ArchiveInfo == nil {
		return "", nil
	}
	sum := d.ArchiveInfo.Hashes["sha256"]
	if sum == "" {
		if algo, v, ok := strings.Cut(d.ArchiveInfo.Hash, "="); ok && algo == "sha256" {
			sum = v
		}
	}
	if sum == "" {
		return "", nil
	}
	if b, err := hex.DecodeString(sum); err != nil || len(b) != 32 {
		return "", errors.New("archive_info sha256 is not 64 hex digits")
	}
	return "sha256:" + strings.ToLower(sum), nil
}
