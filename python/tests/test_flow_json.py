"""The decorators' flow JSON, against golden files (LOCKSTEP_UPDATE_GOLDEN=1 rewrites them)."""

import json
import os
from pathlib import Path


from conftest import EXAMPLE, run_py

GOLDEN = Path(__file__).parent / "golden"

FULL = '''
from lockstep import Dataset, flow, param, step

@flow(seed=7, name="full-flow", sandbox="required", secrets=["API_TOKEN"])
class Full:
    lr = param(0.0003)
    epochs = param(10)
    label = param("churned")
    shuffle = param(True)

    @step(data=Dataset("customers@3"), notes="docs/notes.md", outputs=("shards", "schema"), network=True)
    def split(self, data, notes):
        return {}

    @step(foreach={"shard": split.shards}, inputs={"schema": split.schema}, outputs={"clean": "dir"},
          max_parallel=2, fail_fast=True)
    def clean(self, schema, item):
        return {}

    @step(inputs={"tables": "clean.clean"}, outputs={"model": "model"}, foreach={"lr": [1e-4, 3e-4], "seed": range(2)},
          cpus=2, gpus=1, memory="4GiB", time="1h30m", env=["OMP_NUM_THREADS"], max_items=10)
    def train(self, tables, item):
        return {}

    @step(needs=["train", split], sandbox="none")
    def report(self):
        pass
'''


def check_golden(name, text):
    path = GOLDEN / name
    if os.environ.get("LOCKSTEP_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"flow JSON differs from {path}; rerun with LOCKSTEP_UPDATE_GOLDEN=1 if intended"


def test_example_flow_json_matches_golden():
    r = run_py(["-m", "lockstep", "flow-json", "churn_flow.py"], cwd=EXAMPLE)
    assert r.returncode == 0, r.stderr
    check_golden("churn_flow.json", r.stdout)
    d = json.loads(r.stdout)
    assert d["steps"]["train"]["run"] == "python3 -m lockstep.exec churn_flow:Churn.train"
    assert list(d["steps"]) == ["prepare", "train", "evaluate"]


def test_every_setting_matches_golden(write_flow):
    path = write_flow(FULL, name="full_flow")
    r = run_py(["-m", "lockstep", "flow-json", path.name], cwd=path.parent)
    assert r.returncode == 0, r.stderr
    check_golden("full_flow.json", r.stdout)
    d = json.loads(r.stdout)
    assert d["params"] == {"lr": 0.0003, "epochs": 10, "label": "churned", "shuffle": True}
    assert d["steps"]["split"]["inputs"] == {"data": {"dataset": "customers@3"}, "notes": {"path": "docs/notes.md"}}
    assert d["steps"]["clean"]["foreach"] == {"shard": "split.shards"}
    assert d["steps"]["train"]["foreach"] == {"lr": [0.0001, 0.0003], "seed": [0, 1]}
    assert d["steps"]["train"]["outputs"] == {"model": {"path": "model/", "kind": "model"}}
    assert d["steps"]["report"]["needs"] == ["train", "split"]


def test_flow_file_can_print_its_own_json():
    r = run_py(["churn_flow.py", "flow-json"], cwd=EXAMPLE)
    assert r.returncode == 0, r.stderr
    assert r.stdout == (GOLDEN / "churn_flow.json").read_text()


def test_flow_json_is_valid_json_with_no_extra_output(write_flow):
    path = write_flow('''
        import lockstep
        print("module-level output goes to stdout too")
        @lockstep.flow
        class Noisy:
            @lockstep.step
            def only(self):
                pass
    ''', name="noisy")
    r = run_py(["-m", "lockstep", "flow-json", path.name], cwd=path.parent)
    # A module that prints at import would corrupt the JSON: the flow JSON
    # is all that reaches stdout; what the module prints goes to stderr.
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["flow"] == "noisy"
    assert "module-level output" in r.stderr
