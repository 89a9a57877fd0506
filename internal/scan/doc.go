// Package scan refuses unsafe serialisation and validates safe formats.
//
// Every file is classified by its content, never by its name: raw pickle
// streams (protocols 0–5, stacked, or followed by junk), zip containers
// (PyTorch, npz, Keras and any other zip, walked through the central
// directory and through the chain of local headers, so members hidden from
// the directory or named differently in it are still read), tar archives,
// gzip, bz2, xz, lzma, zlib, lz4 and zstd wrappers, .npy arrays, safetensors,
// Parquet, Avro, CSV, JSON, Keras configurations inside zip and HDF5 files
// and ONNX models. A name only matters when it claims a safe format: a
// "model.safetensors" that is not a safetensors file is invalid.
//
// Pickles are never executed. A stack machine walks their opcodes with the
// memo and reports the callables loading would import, each classified as
// dangerous (a blocklist such as os, subprocess, builtins.eval, matched on
// every dotted prefix), safe (an allowlist of the rebuild functions PyTorch
// and NumPy use, plain containers and datetime types) or unknown, with a
// readable reconstruction of the calls, such as os.system('id'). A pickle
// read from a file or a stored zip member is first given a quick walk that
// builds no values; when every global it names is on the safe list and it
// does nothing the quick walk cannot follow exactly, its report is the one
// the full walk would give, and the full walk is skipped.
//
// Bytes count as a pickle when the walk finds an import by name, hits a
// resource limit, sees PyTorch's legacy magic, or reads complete pickles to
// the end of the data. Arbitrary binary data (raw float arrays, random
// bytes) often decodes as a few opcodes or even a short pickle; without an
// import a loader fails before it can call anything, so such data is not
// reported as a pickle.
//
// Verdicts:
//   - unsafe: a dangerous import ("dangerous: would call os.system('id')"),
//     a Keras Lambda layer or ONNX external data outside the model
//     directory. No format policy lets such a file in: a user who really
//     needs a blocked global lists it in Options.AllowGlobals.
//   - refused: any other pickle stream (a raw pickle, a PyTorch or joblib
//     file, a pickle inside an archive, an object-dtype .npy array), however
//     harmless, under the default format policy PickleDeny ("refused by
//     format policy: pickle (imports nothing)"); under PickleAllowSafe, a
//     pickle importing a global that is not on the safe list.
//   - unscannable: something could not be inspected (7z, encryption, an
//     unsupported zip method or a resource limit of Limits).
//   - invalid: a file that claims a safe format but fails its validation.
//   - allowed: a pickle the format policy lets in (PickleAllowSafe: every
//     import on the safe list or in AllowGlobals; PickleAllow: any import
//     that is not dangerous), a warning to record.
//   - clean: anything else.
//
// Resource use is bounded by Limits; reaching a limit is reported, never
// passed silently as clean. Large files are streamed and tensor storages of
// PyTorch zips are skipped by size, not read. A file of up to 256 KiB whose
// head names no format (text, tables, unknown bytes) is read once, whole:
// the search for a zip's end, the pickle walks and the JSON or CSV check
// take slices of those bytes. CSV records are counted 64 bytes at a time
// (bit masks of quotes, separators and line breaks) while they are plainly
// valid; the byte-wise state machine reads anything else, so an error is
// reported where encoding/csv would find it.
package scan
