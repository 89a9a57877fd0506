// Package sbom describes the environment a task ran in as a software bill
// of materials: CycloneDX 1.6 JSON, SPDX 2.3 JSON or SPDX 3.0.1 JSON-LD,
// all three built from one inventory of the environment record capture
// wrote (interpreter distributions, OS packages, the interpreter, the
// operating system and the hardware), with the result of the
// installed-file verification, and signed as an in-toto statement of
// predicate type https://cyclonedx.org/bom (SPDX: https://spdx.dev/Document,
// https://spdx.dev/Document/v3).
//
// A CycloneDX SBOM is a pure function of the environment record: the same
// record gives the same bytes, so its digest can be referenced from a
// run's provenance and a model's bill of materials and recomputed by
// anyone holding the record. SPDX documents are too, but for the creation
// time SPDX requires.
package sbom
