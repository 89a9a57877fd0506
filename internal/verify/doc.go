// Package verify checks the evidence for an artifact: given a file, a
// directory or a digest and the trusted keys, it finds the attestations
// whose subject is the artifact (in the catalog, or bundles given
// explicitly), checks their signatures, checks the subject digest, and for
// model directories checks the OpenSSF model signature file by file. Each
// way of failing (missing, unsigned, tampered, wrong key, wrong subject,
// changed model files) has its own message.
package verify
