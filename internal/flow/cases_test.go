package flow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// project makes a project folder with the files the test flows name.
func project(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"data/iris.csv", "prepare.py", "data/images/a.png"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// flowText drops the newline that opens a raw string literal, so that the
// first line of the literal is line 1.
func flowText(s string) []byte { return []byte(strings.TrimPrefix(s, "\n")) }

// twoSteps is a valid flow the invalid cases below vary.
const twoSteps = `
flow: iris
steps:
  prepare:
    run: python3 prepare.py
    inputs: {raw: data/iris.csv}
    outputs: {train: train.csv, test: test.csv}
  train:
    run: python3 train.py
    inputs:
      data: %s
    outputs:
      model: {path: model/, kind: model}
`

// invalidFlows are flow files with the exact errors Parse must report
// when path inputs are checked against the folder made by project.
var invalidFlows = []struct {
	name, yaml, want string
}{
	{"unknown top-level key", "\nflow: iris\nstpes: {}\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: unknown key "stpes" (did you mean "steps"?)`},
	{"unknown step key", "\nflow: iris\nsteps:\n  a:\n    run: x\n    ouputs: {m: m.txt}\n",
		`lockstep.yaml:5: steps.a: unknown key "ouputs" (did you mean "outputs"?)`},
	{"unknown key without a near one", "\nflow: iris\nsteps:\n  a: {run: x, zzz: 1}\n",
		`lockstep.yaml:3: steps.a: unknown key "zzz" (known keys: run, inputs, outputs, params, env, secrets, resources, needs, network, sandbox, compare, code, foreach, fail-fast, max-parallel, max-items)`},
	{"missing flow", "\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:1: flow: required key is missing (add "flow: NAME" at the top)`},
	{"missing steps", "\nflow: iris\n",
		`lockstep.yaml:1: steps: required key is missing (add steps: with at least one step, see lockstep init)`},
	{"no steps", "\nflow: iris\nsteps: {}\n",
		`lockstep.yaml:2: steps: the flow has no steps (add a step with a run: command, see lockstep init)`},
	{"missing run", "\nflow: iris\nsteps:\n  a:\n    outputs: {o: o.txt}\n",
		`lockstep.yaml:3: steps.a.run: required key is missing (add run: COMMAND, the shell command of the step)`},
	{"empty run", "\nflow: iris\nsteps:\n  a: {run: \"  \"}\n",
		`lockstep.yaml:3: steps.a.run: the command is empty (write the shell command the step runs)`},
	{"list for a mapping", "\nflow: iris\nsteps:\n  a:\n    run: x\n    inputs: [data/iris.csv]\n",
		`lockstep.yaml:5: steps.a.inputs: want a mapping of keys, got a list`},
	{"command for a step", "\nflow: iris\nsteps:\n  a: python3 a.py\n",
		`lockstep.yaml:3: steps.a: want a mapping of step settings, got "python3 a.py" (put the command under run:)`},
	{"repeated key", "\nflow: iris\nsteps:\n  a:\n    run: x\n    run: y\n",
		`lockstep.yaml:5: steps.a: key "run" is repeated, first at line 4 (remove one of them)`},
	{"repeated step", "\nflow: iris\nsteps:\n  a: {run: x}\n  a: {run: y}\n",
		`lockstep.yaml:4: steps: key "a" is repeated, first at line 3 (remove one of them)`},
	{"repeated output", "\nflow: iris\nsteps:\n  a:\n    run: x\n    outputs:\n      m: m.txt\n      m: n.txt\n",
		`lockstep.yaml:7: steps.a.outputs: key "m" is repeated, first at line 6 (remove one of them)`},
	{"outputs differing in case", "\nflow: iris\nsteps:\n  a:\n    run: x\n    outputs: {m: m.txt, M: n.txt}\n",
		`lockstep.yaml:5: steps.a.outputs.M: names "m" and "M" differ only in case (rename one of them)`},
	{"inputs differing in case", "\nflow: iris\nsteps:\n  a:\n    run: x\n    inputs: {raw: data/iris.csv, RAW: prepare.py}\n",
		`lockstep.yaml:5: steps.a.inputs.RAW: names "raw" and "RAW" differ only in case (rename one: both would be LOCKSTEP_INPUT_RAW)`},
	{"invalid step name", "\nflow: iris\nsteps:\n  Prep.x: {run: x}\n",
		`lockstep.yaml:3: steps: invalid step name "Prep.x" (use lowercase letters, digits, "_" and "-", starting with a letter or digit; no dots, they separate STEP.OUTPUT)`},
	{"invalid flow name", "\nflow: Iris Data\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:1: flow: invalid flow name "Iris Data" (use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit)`},
	{"invalid input name", "\nflow: iris\nsteps:\n  a:\n    run: x\n    inputs: {raw-data: data/iris.csv}\n",
		`lockstep.yaml:5: steps.a.inputs: invalid name "raw-data" (use letters, digits and "_", not starting with a digit)`},
	{"unknown step", strings.Replace(twoSteps, "%s", "{step: prep, output: train}", 1),
		`lockstep.yaml:10: steps.train.inputs.data: unknown step "prep" (did you mean "prepare"?)`},
	{"unknown step, bare", strings.Replace(twoSteps, "%s", "prep.o", 1),
		`lockstep.yaml:10: steps.train.inputs.data: unknown step "prep" (did you mean "prepare"?)`},
	{"output nobody writes", strings.Replace(twoSteps, "%s", "prepare.trian", 1),
		`lockstep.yaml:10: steps.train.inputs.data: step "prepare" has no output "trian" (did you mean "train"?)`},
	{"output nobody writes, explicit", strings.Replace(twoSteps, "%s", "{step: prepare, output: model}", 1),
		`lockstep.yaml:10: steps.train.inputs.data: step "prepare" has no output "model" (its outputs are: test, train)`},
	{"path close to an output", strings.Replace(twoSteps, "%s", "prepar.train", 1),
		`lockstep.yaml:10: steps.train.inputs.data: file "prepar.train" does not exist (did you mean "prepare.train"?)`},
	{"missing path", strings.Replace(twoSteps, "%s", "data/missing.csv", 1),
		`lockstep.yaml:10: steps.train.inputs.data: file "data/missing.csv" does not exist (paths are relative to the folder of the flow file)`},
	{"absolute path", strings.Replace(twoSteps, "%s", "/etc/passwd", 1),
		`lockstep.yaml:10: steps.train.inputs.data: path "/etc/passwd" is absolute (give a path relative to the folder of the flow file, or register the data as a dataset)`},
	{"path leaving the project", strings.Replace(twoSteps, "%s", "{path: data/../../secret}", 1),
		`lockstep.yaml:10: steps.train.inputs.data: path "data/../../secret" leaves the folder (give a path relative to the folder of the flow file, or register the data as a dataset)`},
	{"two forms of input", strings.Replace(twoSteps, "%s", "{path: prepare.py, dataset: iris@1}", 1),
		`lockstep.yaml:10: steps.train.inputs.data: want exactly one of path, step or dataset (write {path: FILE}, {step: STEP, output: OUTPUT} or {dataset: NAME@VERSION})`},
	{"invalid dataset name", strings.Replace(twoSteps, "%s", "Housing@v1", 1),
		`lockstep.yaml:10: steps.train.inputs.data: invalid dataset name "Housing" in "Housing@v1" (dataset names use lowercase letters, digits, ".", "_" and "-"; for a file whose name holds "@", write {path: FILE})`},
	{"empty dataset version", strings.Replace(twoSteps, "%s", "{dataset: housing@}", 1),
		`lockstep.yaml:10: steps.train.inputs.data: invalid dataset version "" in "housing@" (write NAME@VERSION, e.g. housing@2017-v2; versions hold no spaces or slashes)`},
	{"unknown need", "\nflow: iris\nsteps:\n  prepare: {run: x}\n  train:\n    run: y\n    needs: [prep]\n",
		`lockstep.yaml:6: steps.train.needs[0]: unknown step "prep" (did you mean "prepare"?)`},
	{"cycle", "\nflow: iris\nsteps:\n  b:\n    run: x\n    inputs: {i: a.o}\n    outputs: {o: o}\n  c:\n    run: x\n    inputs: {i: b.o}\n    outputs: {o: o}\n  a:\n    run: x\n    inputs: {i: c.o}\n    outputs: {o: o}\n",
		`lockstep.yaml:11: steps.a: dependency cycle a -> b -> c -> a (a step cannot read, directly or not, what it writes itself)`},
	{"needing itself", "\nflow: iris\nsteps:\n  a: {run: x, needs: [a]}\n",
		`lockstep.yaml:3: steps.a: dependency cycle a -> a (a step cannot read, directly or not, what it writes itself)`},
	{"bad memory", "\nflow: iris\nsteps:\n  a:\n    run: x\n    resources: {memory: 4 gigs}\n",
		`lockstep.yaml:5: steps.a.resources.memory: invalid size "4 gigs" (use a size like 512MiB, 4GiB or 4G)`},
	{"bad time", "\nflow: iris\nsteps:\n  a:\n    run: x\n    resources: {time: 1 hour}\n",
		`lockstep.yaml:5: steps.a.resources.time: invalid time limit "1 hour" (use a duration like 90m, 1h30m or 12h)`},
	{"no cpus", "\nflow: iris\nsteps:\n  a:\n    run: x\n    resources: {cpus: 0}\n",
		`lockstep.yaml:5: steps.a.resources.cpus: want more than 0, got 0 (ask for at least a fraction of a CPU, e.g. 0.5)`},
	{"unknown sandbox", "\nflow: iris\nsandbox: maybe\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: sandbox: unknown value "maybe" (use "required" or "none")`},
	{"unknown format policy", "\nflow: iris\nformats: {pickle: warn}\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: formats.pickle: unknown value "warn" (use "deny", "allow-safe" or "allow")`},
	{"unknown format", "\nflow: iris\nformats: {pickles: allow}\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: formats: unknown key "pickles" (did you mean "pickle"?)`},
	{"input named like an output", "\nflow: iris\nsteps:\n  a:\n    run: x\n    inputs:\n      model: data/iris.csv\n    outputs:\n      model: m/\n",
		`lockstep.yaml:6: steps.a.inputs.model: "model" is also an output of this step (rename the input or the output)`},
	{"unknown trust role", "\nflow: iris\ntrust:\n  builder: [keys/b.pub]\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:3: trust: unknown role "builder" (did you mean "builders"?)`},
	{"anchor", "\nflow: iris\nsteps:\n  a: &s {run: x}\n  b: *s\n",
		`lockstep.yaml:3: YAML anchors and aliases (&, *) are not allowed in a flow file (write the value out in full)` + "\n" +
			`lockstep.yaml:4: YAML anchors and aliases (&, *) are not allowed in a flow file (write the value out in full)`},
	{"alias bomb", "\nflow: iris\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
		`lockstep.yaml:2: YAML anchors and aliases (&, *) are not allowed in a flow file (write the value out in full)` + "\n" +
			`lockstep.yaml:3: YAML anchors and aliases (&, *) are not allowed in a flow file (write the value out in full)` + "\n" +
			`lockstep.yaml:4: YAML anchors and aliases (&, *) are not allowed in a flow file (write the value out in full)`},
	{"custom tag", "\nflow: !py/object iris\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:1: YAML tag !py/object is not allowed in a flow file (remove the tag)`},
	{"syntax error", "\nflow: iris\nsteps:\n  a: {run: x\n",
		`lockstep.yaml:3: invalid YAML: did not find expected ',' or '}' (in the block that starts on this line; check its indentation and brackets)`},
	{"bad indentation", "\nflow: iris\nsteps:\n  a:\n    run: x\n   outputs: {}\n",
		`lockstep.yaml:3: invalid YAML: did not find expected key (in the block that starts on this line; check its indentation and brackets)`},
	{"tab indentation", "\nflow: iris\nsteps:\n\ta: {run: x}\n",
		`lockstep.yaml:3: invalid YAML: found character that cannot start any token`},
	{"two documents", "\nflow: iris\nsteps:\n  a: {run: x}\n---\nflow: other\n",
		`lockstep.yaml:4: a flow file holds one YAML document, found a second (remove the "---" and what follows)`},
	{"empty file", "\n# nothing yet\n",
		`lockstep.yaml: the file is empty (start from "lockstep init")`},
	{"not a mapping", "\n- flow\n- steps\n",
		`lockstep.yaml:1: want a mapping of keys, got a list (write keys such as flow: and steps:)`},
	{"seed not an integer", "\nflow: iris\nseed: abc\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: seed: want an integer, got "abc"`},
	{"seed out of range", "\nflow: iris\nseed: -1\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: seed: seed -1 is out of range (it is also PYTHONHASHSEED, which takes 0 to 4294967295)`},
	{"list parameter", "\nflow: iris\nparams: {lr: [0.1, 0.2]}\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: params.lr: want a string, number or true/false, got a list (parameters are scalars: string, integer, float or bool)`},
	{"reserved variable", "\nflow: iris\nsteps:\n  a: {run: x, env: [LOCKSTEP_SEED]}\n",
		`lockstep.yaml:3: steps.a.env[0]: variable "LOCKSTEP_SEED" cannot be passed in (lockstep sets its own LOCKSTEP_ variables; remove it)`},
	{"bad secret name", "\nflow: iris\nsecrets: [DB-PASS]\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: secrets[0]: invalid variable name "DB-PASS" (use letters, digits and "_", not starting with a digit)`},
	{"reserved secret", "\nflow: iris\nsteps:\n  a: {run: x, secrets: [LOCKSTEP_RUN]}\n",
		`lockstep.yaml:3: steps.a.secrets[0]: variable "LOCKSTEP_RUN" cannot be passed in (lockstep sets its own LOCKSTEP_ variables; remove it)`},
	{"secret also under env", "\nflow: iris\nsteps:\n  a:\n    run: x\n    env: [DB_PASS]\n    secrets: [DB_PASS]\n",
		`lockstep.yaml:5: steps.a.env[0]: variable "DB_PASS" is under both env and secrets (remove it from env: a name under secrets (the step's or the flow's) is passed to the step without being recorded)`},
	{"flow secret under a step's env", "\nflow: iris\nsecrets: [HF_TOKEN]\nsteps:\n  a: {run: x, env: [OMP_NUM_THREADS, HF_TOKEN]}\n",
		`lockstep.yaml:4: steps.a.env[1]: variable "HF_TOKEN" is under both env and secrets (remove it from env: a name under secrets (the step's or the flow's) is passed to the step without being recorded)`},
	{"network not a bool", "\nflow: iris\nsteps:\n  a: {run: x, network: yes}\n",
		`lockstep.yaml:3: steps.a.network: want true or false, got "yes"`},
	{"overlapping outputs", "\nflow: iris\nsteps:\n  a:\n    run: x\n    outputs: {a: out/, b: out/x.csv}\n",
		`lockstep.yaml:5: steps.a.outputs.b: path "out/x.csv" overlaps output "a" at "out" (give each output its own path)`},
	{"file kind with a slash", "\nflow: iris\nsteps:\n  a:\n    run: x\n    outputs: {m: {path: m/, kind: file}}\n",
		`lockstep.yaml:5: steps.a.outputs.m: path "m/" ends with / but kind is file (drop the "/" or use kind: dir)`},
	{"negative tolerance", "\nflow: iris\nsteps:\n  a:\n    run: x\n    compare: {metrics.json: {rtol: -1}}\n",
		`lockstep.yaml:5: steps.a.compare.metrics.json.rtol: want 0 or more, got -1 (a tolerance is 0 (exact) or more)`},
	{"relative environment path", "\nflow: iris\nenvironment: {paths: [opt/tools]}\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: environment.paths[0]: want an absolute directory, got "opt/tools" (write the full path, e.g. /opt/tools)`},
	{"bad pattern", "\nflow: iris\ncode: {include: [\"[\"]}\nsteps:\n  a: {run: x}\n",
		`lockstep.yaml:2: code.include[0]: invalid pattern "[" (use gitignore patterns like "*.py" or "src/**")`},
	{"bad step code pattern", "\nflow: iris\nsteps:\n  a:\n    run: x\n    code: {exclude: [\"a[\"]}\n",
		`lockstep.yaml:5: steps.a.code.exclude[0]: invalid pattern "a[" (use gitignore patterns like "*.py" or "src/**")`},
	{"unknown step code key", "\nflow: iris\nsteps:\n  a:\n    run: x\n    code: {includes: [a.py]}\n",
		`lockstep.yaml:5: steps.a.code: unknown key "includes" (did you mean "include"?)`},
	{"scalar for a list", "\nflow: iris\nsteps:\n  a: {run: x, needs: b}\n  b: {run: y}\n",
		`lockstep.yaml:3: steps.a.needs: want a list, got "b" (write [b])`},
	{"step parameter differing in case", "\nflow: iris\nparams: {lr: 0.1}\nsteps:\n  a: {run: x, params: {LR: 0.2}}\n",
		`lockstep.yaml:4: steps.a.params.LR: parameter differs from the flow's "lr" only in case (use the flow's spelling "lr")`},
	{"several problems, by line", "\nflow: Iris\nsteps:\n  a:\n    run: x\n    outputs: {o: /abs}\n  b:\n    run: y\n    needs: [c]\n",
		`lockstep.yaml:1: flow: invalid flow name "Iris" (use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit)` + "\n" +
			`lockstep.yaml:5: steps.a.outputs.o: path "/abs" is absolute (write a path relative to $LOCKSTEP_OUTPUT_DIR)` + "\n" +
			`lockstep.yaml:8: steps.b.needs[0]: unknown step "c"`},
}
