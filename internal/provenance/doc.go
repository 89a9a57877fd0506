// Package provenance makes the signed evidence of a finished run: SLSA
// provenance v1 over every output (Build, then Attest), an OpenSSF model
// signature for every model directory, the CycloneDX SBOM of every
// environment (SBOMs, SignSBOM), each bundle stored and indexed by subject
// digest so that verify finds it from an artifact's bytes.
//
// It is shared by the engine, which signs the runs it finishes, and by
// reproduce, which stores its reproduction attestations the same way
// (StoreBundle). Models is the one rule for which outputs are models: the
// model signatures and the run's ML-BOM (dataset.RunBOM) both use it.
package provenance
