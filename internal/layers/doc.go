// Package layers holds the test that keeps lockstep's imports pointing down
// the layers of the design: core at the bottom; store, catalog and flow;
// capture, sandbox, scan and attest; datasets, reviews and policy; task
// execution, backends and provenance; the engine and its peers (query,
// evidence, maintain); the CLI at the top. A package may
// import only packages of a lower layer. A new package must be given its
// layer here.
package layers

// Rank is each internal package's layer: imports must go to a lower rank.
var Rank = map[string]int{
	"core":                0,
	"lock":                1,
	"store":               1,
	"catalog":             1,
	"flow":                1,
	"catalog/sqlite":      2,
	"catalog/catalogtest": 2,
	"capture":             2,
	"sandbox":             2,
	"scan":                2,
	"attest":              2,
	"dataset":             3,
	"review":              3,
	"policy":              4,
	"task":                4,
	"backend/local":       4,
	"provenance":          4,
	"verify":              5,
	"maintain":            5,
	"engine":              5,
	"query":               5,
	"evidence":            5,
	"reproduce":           6,
	"server":              6,
	"cli":                 7,
	"layers":              8,
}
