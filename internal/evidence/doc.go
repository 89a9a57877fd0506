// Package evidence says what a run's evidence is and writes it out for
// verification anywhere: the signed provenance bundles, every output (model
// folders with their model-signing bundle as model.sig), each environment
// record with the bundle of its signed SBOM, the run and task
// records, an empty Sigstore trusted root and a VERIFY.md with the cosign
// and lockstep commands that check them.
//
// Export decides what goes where, by name; a Sink puts each piece
// somewhere. Folder, a new directory published by rename when complete, is
// the sink. A registry or an OCI image layout is organised around one model
// and its referrers rather than named files: package evidence/oci ships
// those.
package evidence
