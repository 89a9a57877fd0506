"""Evaluate the model on the held-out rows; write metrics."""
import json
import math
import os

from common import SPECIES, load_safetensors, output, read_rows

model = load_safetensors(os.path.join(os.environ["LOCKSTEP_INPUT_MODEL"], "model.safetensors"))
(k, d), w = model["weight"]
_, b = model["bias"]
_, mean = model["mean"]
_, scale = model["scale"]
xs, ys = read_rows(os.environ["LOCKSTEP_INPUT_TEST"])

confusion = [[0] * k for _ in range(k)]
for x, y in zip(xs, ys):
    x = [(x[j] - mean[j]) / scale[j] for j in range(d)]
    z = [sum(w[c * d + j] * x[j] for j in range(d)) + b[c] for c in range(k)]
    confusion[y][max(range(k), key=lambda c: z[c])] += 1

accuracy = sum(confusion[c][c] for c in range(k)) / len(ys)
per_class = {}
for c, name in enumerate(SPECIES):
    predicted = sum(confusion[r][c] for r in range(k))
    actual = sum(confusion[c])
    precision = confusion[c][c] / predicted if predicted else 0.0
    recall = confusion[c][c] / actual if actual else 0.0
    per_class[name] = {"precision": round(precision, 6), "recall": round(recall, 6)}
metrics = {"accuracy": round(accuracy, 6), "test_rows": len(ys), "per_class": per_class, "confusion": confusion}
with open(output("metrics.json"), "w") as f:
    json.dump(metrics, f, indent=2, sort_keys=True)
with open(os.environ["LOCKSTEP_METRICS"], "w") as f:
    json.dump({"accuracy": metrics["accuracy"]}, f)
print(f"test accuracy {accuracy:.3f} on {len(ys)} rows")
assert not math.isnan(accuracy)
