"""Train a softmax regression by gradient descent, in plain Python."""
import json
import math
import os
import random

from common import FEATURES, SPECIES, output, params, read_rows, save_safetensors

p = params()
rng = random.Random(int(os.environ["LOCKSTEP_SEED"]))
xs, ys = read_rows(os.path.join(os.environ["LOCKSTEP_INPUT_TRAIN"]))
k, d = len(SPECIES), len(FEATURES)
# Standardise features; the means and scales are part of the model.
mean = [sum(x[j] for x in xs) / len(xs) for j in range(d)]
scale = [math.sqrt(sum((x[j] - mean[j]) ** 2 for x in xs) / len(xs)) or 1.0 for j in range(d)]
xs = [[(x[j] - mean[j]) / scale[j] for j in range(d)] for x in xs]
w = [[rng.gauss(0, 0.01) for _ in range(d)] for _ in range(k)]
b = [0.0] * k


def probabilities(x):
    z = [sum(w[c][j] * x[j] for j in range(d)) + b[c] for c in range(k)]
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return [v / s for v in e]


lr = float(p["learning_rate"])
for epoch in range(int(p["epochs"])):
    gw = [[0.0] * d for _ in range(k)]
    gb = [0.0] * k
    loss = 0.0
    for x, y in zip(xs, ys):
        pr = probabilities(x)
        loss -= math.log(max(pr[y], 1e-12))
        for c in range(k):
            g = pr[c] - (1.0 if c == y else 0.0)
            gb[c] += g
            for j in range(d):
                gw[c][j] += g * x[j]
    n = len(xs)
    for c in range(k):
        b[c] -= lr * gb[c] / n
        for j in range(d):
            w[c][j] -= lr * gw[c][j] / n
    if epoch % 100 == 0:
        print(f"epoch {epoch}: loss {loss / n:.4f}")

correct = sum(1 for x, y in zip(xs, ys) if max(range(k), key=lambda c: probabilities(x)[c]) == y)
os.makedirs(output("model"), exist_ok=True)
save_safetensors(
    output("model/model.safetensors"),
    {"weight": ([k, d], [v for row in w for v in row]), "bias": ([k], b), "mean": ([d], mean), "scale": ([d], scale)},
    {"format": "pt", "classes": ",".join(SPECIES)},
)
with open(output("model/config.json"), "w") as f:
    json.dump({"architecture": "softmax-regression", "features": FEATURES, "classes": SPECIES}, f, indent=2, sort_keys=True)
with open(os.environ["LOCKSTEP_METRICS"], "w") as f:
    json.dump({"train_accuracy": correct / len(xs), "train_loss": loss / len(xs)}, f)
print(f"train accuracy {correct / len(xs):.3f}")
