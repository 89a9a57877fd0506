// Package layers holds the test that keeps lockstep's imports pointing down
// the layers of the design: core at the bottom; the store's blob backends;
// store, catalog and flow; capture, sandbox, scan and attest; datasets and
// policy; task execution; the backend interface; its implementations,
// the engine and its peers; the CLI at the top. A package may
// import only packages of a lower layer. A new package must be given its
// layer here. A second test keeps paths inside the store within
// internal/store: no other package may name an object's file or the
// store's folder layout.
package layers

// Rank is each internal package's layer: imports must go to a lower rank.
var Rank = map[string]int{
	"core":                0,
	"store/blobio":        0,
	"store/local":         1,
	"lock":                1,
	"catalog":             1,
	"flow":                1,
	"store":               2,
	"catalog/sqlite":      2,
	"catalog/catalogtest": 2,
	"store/storetest":     3,
	"capture":             2,
	"sandbox":             2,
	"scan":                2,
	"attest":              2,
	"dataset":             3,
	"policy":              4,
	"task":                4,
	"backend":             5,
	"backend/local":       6,
	"backend/backendtest": 6,
	"verify":              6,
	"maintain":            6,
	"engine":              6,
	"reproduce":           7,
	"server":              7,
	"cli":                 8,
	"layers":              9,
}
