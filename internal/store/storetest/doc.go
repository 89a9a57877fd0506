// Package storetest is the contract every blob backend of the store must
// pass. A backend's tests call Run with a function that opens a fresh,
// empty backend:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Blob { … })
//	}
//
// Run checks a round trip, idempotent and concurrent puts of one digest, a
// put whose bytes do not match its digest, corruption and truncation
// detected on read, missing objects (store.ErrNotFound), listing by
// prefix, delete, a large object streamed without being held in memory,
// and context cancellation. To damage an object the suite needs a way
// behind the interface: a backend with local files (store.LocalFiles) gets
// one for free; any other must be wrapped in a type implementing Damager.
package storetest
