// Package query loads what a home holds for people to read: a run with its
// task records, listings of runs, a run's environments, logs and outputs,
// and what a finished run's summary shows. The CLI prints what it returns;
// the server and the web UI serve the same values.
//
// Every function reads through the catalog (which run, which tasks) and
// the store (the records, by digest, verified as they are read); none
// writes. A reference the user typed that names nothing (an unknown run,
// step or output) is an *InputError, so a caller can tell bad input from a
// broken home.
package query
