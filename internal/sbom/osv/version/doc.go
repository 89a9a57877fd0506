// Package version orders package versions as each ecosystem does: PEP 440
// for Python (PyPI), dpkg's algorithm for Debian and Ubuntu, and Semantic
// Versioning 2.0 for OSV's SEMVER ranges. Each comparator parses untrusted
// strings: a version it cannot read is an error naming it, never a guess.
package version
