package flow

import (
	"strings"
)

// Template returns a commented starter lockstep.yaml for a flow called
// name, as "lockstep init" writes it. A name that is not a valid flow name
// is lower-cased and its other characters replaced by "-"; an empty one
// becomes "my-flow". The result always parses.
func Template(name string) []byte {
	return []byte(strings.ReplaceAll(template, "NAME", templateName(name)))
}

// templateName turns name into a valid flow name.
func templateName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := strings.TrimRight(strings.TrimLeft(b.String(), "._-"), "-")
	if len(s) > maxNameLen {
		s = s[:maxNameLen]
	}
	if s == "" {
		return "my-flow"
	}
	return s
}

const template = `# lockstep.yaml: the steps of this flow, what each reads and what it writes.
# Reference: every key is described in lockstep's REFERENCE.md.
flow: NAME

# seed: 42               # fixed seed; leave it out and the first run draws one, later runs reuse it

params:                  # defaults; override with: lockstep run --param epochs=20
  epochs: 10

# code:                  # what the code snapshot holds (gitignore patterns)
#   include: ["*.py", "src/**"]
#   exclude: ["notebooks/**"]

# sandbox: required      # required (default) | none
# formats:
#   pickle: deny         # deny (default) | allow-safe | allow
# signing:
#   key: keys/builder.key
# trust:
#   data-producers: [keys/data.pub]

steps:
  prepare:
    run: python3 prepare.py
    # inputs:            # each: a project path, STEP.OUTPUT or DATASET@VERSION
    #   raw: data/raw.csv
    outputs:             # each: a path under $LOCKSTEP_OUTPUT_DIR ("/" at the end: a directory)
      train: train.csv
      test: test.csv

  train:
    run: python3 train.py
    inputs:
      data: prepare.train   # read with the path in $LOCKSTEP_INPUT_DATA
    outputs:
      model: {path: model/, kind: model}   # a model directory: signed
    # resources: {cpus: 2, memory: 4GiB, time: 1h}

  evaluate:
    run: python3 evaluate.py
    inputs:
      model: train.model
      test: prepare.test
    outputs:
      report: metrics.json
    compare:             # how "lockstep reproduce" compares this output
      report: {rtol: 1e-6}
`
