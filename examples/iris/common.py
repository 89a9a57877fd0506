"""Helpers shared by the iris steps: the step contract, CSV and safetensors."""
import csv
import json
import os
import struct

SPECIES = ["setosa", "versicolor", "virginica"]
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def params():
    """The run's resolved params, from the JSON file lockstep provides."""
    with open(os.environ["LOCKSTEP_PARAMS"]) as f:
        return json.load(f)


def output(name):
    """A path inside the step's output folder."""
    return os.path.join(os.environ["LOCKSTEP_OUTPUT_DIR"], name)


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    xs = [[float(r[k]) for k in FEATURES] for r in rows]
    ys = [SPECIES.index(r["species"]) for r in rows]
    return xs, ys


def write_rows(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FEATURES + ["species"])
        w.writerows(rows)


def save_safetensors(path, tensors, metadata):
    """Write float32 tensors as safetensors: an 8-byte little-endian header
    length, a JSON header with dtype, shape and data offsets, then the data."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        shape, values = tensors[name]
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = (info["shape"], list(struct.unpack("<%df" % ((end - start) // 4), data[start:end])))
    return out
