// Package layers holds the tests that keep lockstep's imports pointing down
// the layers of the design (DESIGN.md, "Layout"), bottom first:
//
//	core → store, catalog, flow, lock, shell, hostcache → home, pyenv → capture, sandbox, scan,
//	notebook, attest, modelsign → policy, dataset, review, sbom → task → provenance,
//	backend → engine, query, evidence, maintain → server, reproduce,
//	verify → cli
//
// A package may import packages of a lower layer, and packages of its own
// family (a package and the folders below it: store and store/local, the
// contract suites beside what they test). Within one layer, only the
// imports listed in SameLayer are allowed, each with its reason. Every
// package must belong to a layer. A second test keeps paths inside the
// store within internal/store: no other package may name an object's file
// or the store's folder layout.
package layers

// Layers are the families of internal packages, layer by layer, bottom
// first. A family is a folder under internal/ and everything below it.
var Layers = [][]string{
	{"core"},
	{"store", "catalog", "flow", "lock", "shell", "hostcache"},
	{"home", "pyenv"},
	{"capture", "sandbox", "scan", "notebook", "attest", "modelsign"},
	{"policy", "dataset", "review", "sbom"},
	{"task"},
	{"provenance", "backend"},
	{"engine", "query", "evidence", "maintain"},
	{"server", "reproduce", "verify"},
	{"cli"},
	{"layers"},
}

// Planned are families the design names that do not exist yet.
var Planned = map[string]bool{"modelsign": true}

// SameLayer lists the imports allowed between families of one layer: the
// importer, the imported, and why.
var SameLayer = map[[2]string]string{
	{"policy", "dataset"}: "a policy judges a dataset's signed bill of materials, so it reads datasets",
	{"policy", "sbom"}:    "a policy judges a run's dependency audit (advisories, malicious packages), so it reads sbom/osv reports",
	{"server", "verify"}:  "the webhook judges a model named by an OCI reference from its registry's evidence, read as verify oci:// --policy reads it",
}
