// Package flow reads lockstep.yaml, the flow file: it parses the YAML,
// validates every key with errors that name the line and field and say the
// fix, and answers questions about the steps as a graph (Order, Deps,
// Select). REFERENCE.md in this folder is the full reference of the format.
//
// The keys of the top level:
//
//	flow         required; the flow's name: [a-z0-9][a-z0-9._-]*
//	seed         optional integer, 0 to 4294967295; absent, the first run draws one and later runs reuse it
//	params       parameter defaults: NAME: scalar (string, integer, float, bool)
//	code         include and exclude: gitignore patterns choosing the code snapshot
//	sandbox      required (default) or none
//	environment  archive (bool): store the toolchain as trees;
//	             paths: extra absolute directories exposed read-only and archived
//	secrets      names of variables every step receives but that are never recorded
//	signing      key: the signing key file, relative to the flow file
//	trust        role (builders, data-producers, reviewers, rebuilders) -> public key files
//	formats      format (pickle) -> deny (default), allow-safe or allow
//	steps        required; step name ([a-z0-9][a-z0-9_-]*) -> step
//
// The keys of a step:
//
//	run        required; the shell command, run with /bin/sh -c
//	inputs     NAME: reference; the step reads it at $LOCKSTEP_INPUT_<NAME>
//	outputs    NAME: path under $LOCKSTEP_OUTPUT_DIR ("dir/" for a directory),
//	           or {path: P, kind: file|dir|model}
//	params     parameters of this step, over the flow's defaults
//	env        names of variables the step may see from the caller's environment
//	secrets    names of variables the step receives but that are never recorded
//	resources  cpus (number), memory (4GiB, 512M...), gpus (integer), time (1h30m)
//	needs      steps that must run first besides those the inputs name
//	network    true allows network access (recorded as not hermetic)
//	sandbox    required or none, over the flow's setting
//	compare    output name, or file relative to an output -> {rtol: R, atol: A}
//
// An input reference written as a string is a dataset when it holds "@"
// (NAME@VERSION), an output when it reads STEP.OUTPUT with STEP a step of
// the flow, and otherwise a path relative to the flow file's folder that
// must exist and stay inside it. The mapping forms {path: P},
// {step: S, output: O} and {dataset: NAME@VERSION} say the kind outright.
// Input, output and parameter names match [A-Za-z_][A-Za-z0-9_]* and must
// stay distinct once upper-cased.
//
// Parse reports every problem it finds, as an ErrorList of *Error sorted by
// line. Anchors and aliases are refused, so a small file cannot expand into
// a large one, and files over MaxSize bytes are refused unread.
package flow
