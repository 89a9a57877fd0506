// Package osv checks a run's environments against an offline database of
// OSV advisories (https://ossf.github.io/osv-schema/): vulnerabilities
// and malicious packages.
//
// Import reads an OSV export — the all.zip of an ecosystem, or a folder
// of OSV JSON files — within size limits, and replaces that ecosystem's
// advisories in the catalog, recording the source, its digest and the
// time. Nothing here reaches the network: the database is what the user
// imported, and Audit reports its age.
//
// Audit matches each step's environment (the interpreter's packages, the
// OS packages) by ecosystem, name and version ranges: ECOSYSTEM ranges in
// the ecosystem's own ordering (PEP 440 for PyPI, dpkg's for Debian and
// Ubuntu; package version) and SEMVER ranges. An advisory whose range
// cannot be evaluated (an unknown range type, a version its ecosystem
// cannot read) is reported as undecided, never dropped. Advisories with a
// MAL- id (the OpenSSF malicious-packages project) are a class of their
// own: the package is known to be malicious.
//
// The Report is a canonical JSON object in the store, indexed in the
// catalog per run, optionally signed as an in-toto statement, and
// rendered as CycloneDX vulnerabilities for the run's ML-BOM.
package osv
