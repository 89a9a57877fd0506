// Package oci ships a stored model as an OCI artifact and brings it back.
//
// A model (a stored tree or file) becomes an OCI image manifest following
// the CNCF ModelPack specification: artifact type
// application/vnd.cncf.model.manifest.v1+json, a
// application/vnd.cncf.model.config.v1+json config, and one raw
// (untarred, uncompressed) layer per file, whose media type says what the
// file is (weights, weight config, documentation, code) and whose
// org.cncf.model.filepath annotation says where it goes. A raw layer's
// digest is the sha256 of the file's bytes, the digest lockstep already
// records, so a provenance subject names the same bytes a registry
// serves. The files' permission bits ride in the
// org.cncf.model.file.metadata+json annotation, so the tree rebuilt from
// the manifest alone has the digest the provenance names: it is checked
// before a single layer is downloaded.
//
// Evidence is attached as OCI 1.1 referrers (manifests whose subject is
// the model's manifest), laid out as cosign's bundle specification says:
// artifact type application/vnd.dev.sigstore.bundle.v0.3+json, an empty
// config and the bundle as the one layer, annotated with
// dev.sigstore.bundle.content and dev.sigstore.bundle.predicateType. On a
// registry without the referrers API the referrers tag schema is used
// (go-containerregistry keeps the fallback index).
//
// Everything read from a registry is bounded (Limits) and checked against
// its digest; a layer whose bytes do not hash to its digest is refused and
// nothing is left at the destination.
package oci
