// Package scan refuses unsafe serialisation and validates safe formats.
//
// Every file is classified by its content, never by its name: raw pickle
// streams (protocols 0–5, stacked, or followed by junk), zip containers
// (PyTorch, npz, Keras and any other zip, walked through both the central
// directory and the local headers), tar archives, gzip/bz2/xz/lzma/zlib/lz4/
// zstd wrappers, .npy arrays, safetensors, Parquet, Avro, CSV, JSON, Keras
// configurations inside zip and HDF5 files and ONNX models.
//
// Pickles are never executed. A stack machine walks their opcodes with the
// memo and reports the callables that loading would import, each classified
// as dangerous (a blocklist such as os, subprocess or builtins.eval), safe (an
// allowlist of the rebuild functions PyTorch and NumPy use) or unknown, and a
// readable reconstruction of the calls, such as os.system('id').
//
// Verdicts: a file with a dangerous import is "unsafe"; a pickle with unknown
// imports is "unsafe" too unless Options.AllowPickle downgrades it to
// "allowed" (a warning). AllowPickle never downgrades a dangerous import: a
// user who really needs one lists it in Options.AllowGlobals, which counts as
// safe. A file that claims a safe format but fails validation is "invalid";
// a file that cannot be scanned (7z, encryption, a resource limit reached) is
// "unscannable". Every limit is reported, never silently passed as clean.
package scan
