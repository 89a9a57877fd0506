"""Customer churn: prepare -> train (one task per regularisation strength) -> evaluate.

    python3 churn_flow.py run                 # or: lockstep run churn_flow.py
    python3 churn_flow.py run --param test_fraction=0.3 --seed 7
    python3 -m lockstep show last

Needs numpy and scikit-learn (Debian: python3-numpy python3-sklearn) and the
lockstep Python package (pip install python/ from the repository).
"""

import csv

import numpy as np

import lockstep
from lockstep import current, flow, log_metric, param, step

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "month_to_month", "yearly"]


@flow(seed=42)
class Churn:
    test_fraction = param(0.25)
    max_iter = param(200)

    @step(inputs={"raw": "data/customers.csv"}, outputs=("train", "test"))
    def prepare(self, raw):
        """Encode the customer table as numbers and split it at random (by the run's seed)."""
        with open(raw, newline="") as f:
            rows = list(csv.DictReader(f))
        table = np.array([
            [float(r["tenure_months"]), float(r["monthly_charges"]), float(r["support_calls"]),
             float(r["contract"] == "month"), float(r["contract"] == "year"), float(r["churned"])]
            for r in rows
        ])
        order = np.random.default_rng(current.seed).permutation(len(table))
        n_test = int(round(len(table) * self.test_fraction))
        print(f"prepared {len(table) - n_test} training and {n_test} test rows")
        return {"train": table[order[n_test:]], "test": table[order[:n_test]]}

    @step(inputs={"train": "prepare.train"}, outputs=("model",), foreach={"c": [0.1, 1.0, 10.0]})
    def train(self, train, item):
        """Fit a logistic regression with C = item["c"]; the model is stored as JSON, never pickled."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score

        data = lockstep.load(train)
        x, y = data[:, :-1], data[:, -1]
        mean, scale = x.mean(axis=0), x.std(axis=0)
        clf = LogisticRegression(C=item["c"], max_iter=self.max_iter).fit((x - mean) / scale, y)
        auc = roc_auc_score(y, clf.decision_function((x - mean) / scale))
        log_metric("train_auc", round(float(auc), 6))
        print(f"C={item['c']}: train AUC {auc:.3f}")
        return {"model": {
            "features": FEATURES, "c": item["c"], "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": clf.coef_[0].tolist(), "intercept": float(clf.intercept_[0]),
        }}

    @step(inputs={"models": "train.model", "test": "prepare.test"}, outputs=("report",))
    def evaluate(self, models, test):
        """Score every model on the held-out rows and report the best."""
        from sklearn.metrics import roc_auc_score

        data = lockstep.load(test)
        x, y = data[:, :-1], data[:, -1]
        scores = []
        for item, model in lockstep.items(models):
            z = ((x - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["coef"]) + model["intercept"]
            scores.append({"c": item["c"], "test_auc": round(float(roc_auc_score(y, z)), 6)})
        best = max(scores, key=lambda s: s["test_auc"])
        log_metric("test_auc", best["test_auc"])
        log_metric("best_c", best["c"])
        print(f"best C={best['c']}: test AUC {best['test_auc']:.3f} on {len(y)} rows")
        return {"report": {"best": best, "all": scores}}


if __name__ == "__main__":
    lockstep.main()
