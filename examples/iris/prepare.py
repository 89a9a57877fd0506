"""Shuffle the iris data with the run's seed and split it into train and test."""
import csv
import os
import random

from common import FEATURES, output, params, write_rows

p = params()
rng = random.Random(int(os.environ["LOCKSTEP_SEED"]))
with open(os.environ["LOCKSTEP_INPUT_RAW"], newline="") as f:
    rows = [[r[k] for k in FEATURES] + [r["species"]] for r in csv.DictReader(f)]
rng.shuffle(rows)
n_test = int(round(len(rows) * float(p["test_fraction"])))
write_rows(output("test.csv"), rows[:n_test])
write_rows(output("train.csv"), rows[n_test:])
print(f"prepared {len(rows) - n_test} training and {n_test} test rows")
