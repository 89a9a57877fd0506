// Package backendtest is the contract every backend passes: a task that
// succeeds, exits non-zero, is killed by a signal, runs out of its time
// limit or is cancelled by the engine; its logs streamed back while it
// runs; its outputs returned through the store and verified; a resource
// request honoured, or refused clearly when the backend cannot meet it; a
// spec missing from the store. Each backend's tests call Run with the
// lockstep binary its executors run and a function that opens the
// backend for a store and catalog the suite creates.
package backendtest
