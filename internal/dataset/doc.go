// Package dataset registers datasets with signed bills of materials and
// resolves them for runs.
//
// A dataset is NAME@VERSION bound forever (catalog kind "dataset") to the
// digest of a tree in the store, with the digest of its bill of materials
// as the binding's metadata. Add copies the data in (a directory becomes a
// tree, a file or download a tree of one file), scans every file for unsafe
// serialisation, writes the BOM, signs it, and binds the name last, so a
// failure never leaves a name pointing at something incomplete.
//
// # Sources
//
// Local paths and file:// URLs are copied; https:// and http:// (marked
// insecure) are downloaded with "Accept-Encoding: identity" so the digest is
// the file's own; s3:// URLs are read through gocloud.dev/blob. Downloads
// stream into the store and fail, storing nothing, when they exceed the size
// limit or end before their Content-Length. Redirects to other hosts are
// recorded; a redirect from https to http is refused. Archives are not
// unpacked: a file is a file.
//
// # Bill of materials
//
// The BOM is CycloneDX 1.6 JSON in canonical form (core.CanonicalJSON), so
// its digest is stable. Its metadata.component is the dataset:
//
//	type "data", name, version, description
//	supplier.name                      the producer
//	licenses[0].expression             the SPDX license
//	externalReferences "distribution"  each source, with the SHA-256 received
//	externalReferences "distribution-intake"  each redirect to another host
//	data[0] type "dataset"             classification, governance.owners
//	                                   (producer, card owners), sensitiveData
//	                                   (the card's personal_data answer)
//	data[0].contents.properties        datasheet answers, named
//	                                   lockstep:datasheet:FIELD (motivation,
//	                                   composition, collection_process,
//	                                   preprocessing, intended_uses,
//	                                   prohibited_uses, personal_data,
//	                                   maintenance)
//	properties lockstep:tree, lockstep:files, lockstep:size,
//	           lockstep:pickle-policy (allow-safe or allow; older BOMs
//	           carry lockstep:allow-pickle=true), lockstep:scan:PATH,
//	           lockstep:redirect, lockstep:insecure-transport
//	components[]                       one "file" per tree entry: name = path,
//	                                   hashes SHA-256, properties lockstep:size
//	                                   and lockstep:mode (lockstep:kind and
//	                                   lockstep:target for links and folders)
//
// The file components rebuild the tree exactly: ParseBOM refuses a BOM whose
// files do not hash to its lockstep:tree.
//
// The BOM is signed as an in-toto Statement (predicate type
// https://cyclonedx.org/bom, the BOM itself as predicate) whose subjects are
// the tree (named NAME@VERSION) and every file (named by path), packaged by
// attest.Sign as a Sigstore bundle, stored, and indexed by subject.
//
// # Restricted data
//
// Resolve refuses a restricted dataset to code that fails the caller's
// check of code reviews (Trust.CodeReviewed: package review checks for a
// review attestation by a trusted reviewer). Outside runs, restricted data needs
// the platform's data-access token (CheckAccess against HOME/platform.yaml).
//
// Runs' models get an ML-BOM too (RunBOM): machine-learning-model
// components whose model cards reference the datasets they were trained on.
package dataset
