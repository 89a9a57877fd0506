package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Card is a datasheet for a dataset, after Gebru et al., "Datasheets for
// Datasets": the producer's answers to the questions a user of the data
// should be able to ask. Every answer is free text; the two use lists may
// also be written as YAML lists.
type Card struct {
	Motivation        string     `yaml:"motivation"`
	Composition       string     `yaml:"composition"`
	CollectionProcess string     `yaml:"collection_process"`
	Preprocessing     string     `yaml:"preprocessing"`
	IntendedUses      stringList `yaml:"intended_uses"`
	ProhibitedUses    stringList `yaml:"prohibited_uses"`
	PersonalData      string     `yaml:"personal_data"`
	Maintenance       string     `yaml:"maintenance"`
	// Owners are the people or organisations accountable for the data.
	Owners []string `yaml:"owners"`
}

// maxCardSize bounds a card file: a datasheet is prose, not data.
const maxCardSize = 1 << 20

// LoadCard reads and parses the datasheet card at path.
func LoadCard(path string) (*Card, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read datasheet card: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCardSize+1))
	if err != nil {
		return nil, fmt.Errorf("read datasheet card %s: %w", path, err)
	}
	return ParseCard(path, b)
}

// ParseCard parses a datasheet card (YAML) read from the file name. Unknown
// fields, a document that is not a mapping, an empty card and cards over
// 1 MiB are refused with an error wrapping ErrBadCard that names the file
// and, where YAML tells it, the line.
func ParseCard(name string, b []byte) (*Card, error) {
	if len(b) > maxCardSize {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes; a datasheet holds prose, keep data out of it", name, ErrBadCard, maxCardSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var c Card
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w: the card is empty; answer at least one of %s", name, ErrBadCard, strings.Join(cardFields, ", "))
		}
		return nil, fmt.Errorf("%s: %w: %s (fields: %s)", name, ErrBadCard, strings.TrimPrefix(err.Error(), "yaml: "), strings.Join(cardFields, ", "))
	}
	if len(c.Answers()) == 0 {
		return nil, fmt.Errorf("%s: %w: no answers; fill in at least one of %s", name, ErrBadCard, strings.Join(cardFields, ", "))
	}
	for i, o := range c.Owners {
		if strings.TrimSpace(o) == "" {
			return nil, fmt.Errorf("%s: %w: owners[%d] is empty; name a person or an organisation", name, ErrBadCard, i)
		}
	}
	return &c, nil
}

// cardFields are the card's YAML fields, in datasheet order.
var cardFields = []string{"motivation", "composition", "collection_process", "preprocessing",
	"intended_uses", "prohibited_uses", "personal_data", "maintenance", "owners"}

// CardAnswer is one answered datasheet question.
type CardAnswer struct {
	// Field is the card's YAML field, e.g. "collection_process".
	Field string
	// Text is the answer; list answers are joined with newlines.
	Text string
}

// Answers returns the non-empty answers in datasheet order (owners aside).
func (c *Card) Answers() []CardAnswer {
	texts := []string{c.Motivation, c.Composition, c.CollectionProcess, c.Preprocessing,
		strings.Join(c.IntendedUses, "\n"), strings.Join(c.ProhibitedUses, "\n"), c.PersonalData, c.Maintenance}
	var out []CardAnswer
	for i, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, CardAnswer{Field: cardFields[i], Text: t})
		}
	}
	return out
}

// stringList is a YAML string or list of strings.
type stringList []string

// UnmarshalYAML accepts a scalar or a sequence of scalars.
func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = stringList{n.Value}
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = s
		return nil
	}
	return fmt.Errorf("line %d: want a text or a list of texts", n.Line)
}
