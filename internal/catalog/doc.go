// Package catalog is lockstep's queryable index of what the store holds:
// runs, tasks and their outputs, cache keys, canonical names and
// attestations by subject digest.
//
// Catalog is the one API; an implementation is a sub-package that passes
// the contract suite in catalog/catalogtest: catalog/sqlite, the embedded
// default, and catalog/postgres for a team, both thin packages over the
// one SQL implementation in catalog/sqldb. This package holds
// what every implementation shares: the row types, the sentinel errors,
// input validation (the Check functions), the wording of run references
// (PickRun) and the registry of implementations by URL scheme (Register,
// OpenURL). It imports no implementation; the program that opens a home
// registers the ones it has, in one place.
//
// The catalog is an index, never the source of truth. Every row can be
// rebuilt from the records in the store with the same Put methods the
// engine uses while it runs: Reset empties the catalog, then FinishRun,
// PutTask, BindName and PutAttestation fill it again, in any order.
//
// Concurrency: several lockstep processes may write one catalog at the same
// time, and a Catalog is safe for use by many goroutines. Every write is
// one short transaction; an implementation waits for a busy database
// rather than report it.
package catalog
