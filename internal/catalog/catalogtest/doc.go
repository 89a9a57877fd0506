// Package catalogtest is the contract every catalog implementation
// passes: each query the commands use (runs, tasks and the cache, names,
// run references, attestations by subject and by run, gc roots, deletion,
// reset), input validation, reopening a database and concurrent writers
// through several handles. An implementation's tests call Run with a
// function that makes a fresh database; see catalog/sqlite.
package catalogtest
