"""The example flow end to end through the real lockstep binary.

The binary is $LOCKSTEP_BIN, else `lockstep` on PATH, else bin/lockstep of
this repository; without one these tests skip, saying so. Steps run
`python3 -m lockstep.exec`, so this interpreter's folder goes first on PATH:
the steps then import the same installed package (and numpy, sklearn).
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLE, REPO


def find_binary():
    for cand in (os.environ.get("LOCKSTEP_BIN"), shutil.which("lockstep"), str(REPO / "bin" / "lockstep")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


BIN = find_binary()
pytestmark = pytest.mark.skipif(
    BIN is None, reason="no lockstep binary: build it (make build) or set LOCKSTEP_BIN to run the end-to-end tests"
)


class Project:
    """A copy of examples/python in a temp folder, with its own lockstep home."""

    def __init__(self, root):
        self.root = root
        shutil.copy(EXAMPLE / "churn_flow.py", root / "churn_flow.py")
        shutil.copytree(EXAMPLE / "data", root / "data")
        self.env = dict(os.environ)
        self.env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + self.env.get("PATH", "")
        self.env["LOCKSTEP_BIN"] = BIN
        self.env["LOCKSTEP_HOME"] = str(root / ".lockstep")
        self.sandbox = [] if shutil.which("bwrap") else ["--sandbox", "none"]

    def lockstep(self, *args, check=False):
        r = subprocess.run([BIN] + list(args), cwd=self.root, env=self.env, capture_output=True, text=True, timeout=300)
        if check and r.returncode != 0:
            pytest.fail(f"lockstep {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
        return r

    def run(self, *args):
        """Run the flow as a user does: `python3 churn_flow.py run`, which runs
        `lockstep run churn_flow.py`."""
        r = subprocess.run([sys.executable, "churn_flow.py", "run"] + self.sandbox + list(args), cwd=self.root,
                           env=self.env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"run failed:\n{r.stdout}\n{r.stderr}"
        return self.show()

    def show(self):
        # Through the package's pass-through to the binary, as a user would.
        r = subprocess.run([sys.executable, "-m", "lockstep", "show", "--json", "last"], cwd=self.root, env=self.env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)


def outputs(shown):
    return {name: {o: a["digest"] for o, a in (t.get("outputs") or {}).items()} for name, t in shown["tasks"].items()}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return Project(tmp_path_factory.mktemp("churn"))


@pytest.fixture(scope="module")
def first(project):
    return project.run()


def test_example_runs_with_foreach_outputs_and_metrics(project, first):
    run, tasks = first["run"], first["tasks"]
    assert run["status"] == "succeeded" and run["flow"] == "churn" and run["seed"] == 42
    assert set(tasks) >= {"prepare", "train[c=0.1]", "train[c=1]", "train[c=10]", "evaluate"}
    for name in ("train[c=0.1]", "train[c=1]", "train[c=10]"):
        assert tasks[name]["command"] == "python3 -m lockstep.exec churn_flow:Churn.train"
        assert 0.5 < tasks[name]["metrics"]["train_auc"] <= 1
    metrics = tasks["evaluate"]["metrics"]
    assert metrics["best_c"] in (0.1, 1, 10) and 0.5 < metrics["test_auc"] <= 1
    assert tasks["prepare"]["params"] == {"max_iter": 200, "test_fraction": 0.25}
    # The stored report is the JSON the step returned, and the models are JSON too.
    dest = project.root / "report"
    project.lockstep("get", "last", "evaluate.report", str(dest), check=True)
    report = json.loads((dest / "value.json").read_text())
    assert report["best"]["test_auc"] == metrics["test_auc"]
    assert sorted(s["c"] for s in report["all"]) == [0.1, 1, 10]
    model = project.root / "model"
    project.lockstep("get", "last", "train[c=1].model", str(model), check=True)
    assert sorted(p.name for p in model.iterdir()) == ["value.json"]
    assert len(json.loads((model / "value.json").read_text())["coef"]) == 5


def test_same_seed_same_outputs_and_another_seed_is_recorded(project, first):
    again = project.run("--no-cache")
    assert again["run"]["id"] != first["run"]["id"]
    assert all(t["status"] == "succeeded" for t in again["tasks"].values())
    assert outputs(again) == outputs(first)

    other = project.run("--seed", "7")
    assert other["run"]["seed"] == 7
    assert all(t["seed"] == 7 for name, t in other["tasks"].items() if not name.startswith("train"))
    # Another seed draws another train/test split, so other outputs.
    assert outputs(other)["prepare"] != outputs(first)["prepare"]


DATASET_FLOW = '''
import lockstep
from lockstep import Dataset, flow, step

@flow(name="dataset-demo")
class Counts:
    @step(inputs={"customers": Dataset("customers@1")}, outputs=("rows",),
          foreach={"contract": ["month", "year", "two-year"]})
    def count(self, customers, item):
        lines = (customers / "customers.csv").read_text().splitlines()[1:]  # a dataset is a folder
        return {"rows": sum(1 for line in lines if line.split(",")[4] == item["contract"])}

    @step(inputs={"counts": "count.rows"})
    def total(self, counts):
        lockstep.log_metric("rows", sum(value for _, value in lockstep.items(counts)))
'''


def test_a_registered_dataset_as_input(project):
    project.lockstep("data", "add", "customers@1", "data/customers.csv", "--license", "CC0-1.0", check=True)
    (project.root / "dataset_flow.py").write_text(DATASET_FLOW)
    flow_json = subprocess.run([sys.executable, "-m", "lockstep", "flow-json", "dataset_flow.py"], cwd=project.root,
                               env=project.env, capture_output=True, text=True, check=True).stdout
    (project.root / "dataset.json").write_text(flow_json)
    r = project.lockstep("run", "-f", "dataset.json", *project.sandbox)
    assert r.returncode == 0, r.stdout + r.stderr
    shown = project.show()
    tasks = shown["tasks"]
    assert tasks["count[contract=month]"]["inputs"]["customers"]["source"].startswith("dataset:customers@1")
    lines = (EXAMPLE / "data" / "customers.csv").read_text().splitlines()[1:]
    assert tasks["total"]["metrics"] == {"rows": len(lines)}
