"""python3 -m lockstep.exec under the step contract: inputs, params, items,
metrics, outputs (never pickled) and seeds."""

import json

import pytest

from conftest import run_py

FLOW = '''
import json, os, random
from pathlib import Path
import lockstep
from lockstep import current, flow, log_metric, param, step

class Model:
    pass

@flow(seed=1)
class Demo:
    lr = param(0.5)
    name = param("x")

    @step(inputs={"table": "table.csv"}, outputs=("numbers", "copied", "folder", "array", "scalar"))
    def good(self, table):
        tmp = Path(os.environ["TMPDIR"])
        (tmp / "dir").mkdir()
        (tmp / "dir" / "a.txt").write_text("a")
        (tmp / "report.txt").write_text("report")
        log_metric("rows", len(table.read_text().splitlines()))
        self.metric("lr_seen", self.lr)
        import numpy as np
        return {"numbers": {"lr": self.lr, "name": self.name, "step": current.step, "seed": current.seed},
                "copied": str(tmp / "report.txt"), "folder": tmp / "dir",
                "array": np.arange(6, dtype=np.int32).reshape(2, 3), "scalar": np.float64(2.5)}

    @step(outputs=("model",))
    def pickly(self):
        return {"model": Model()}

    @step(outputs=("arr",))
    def objects(self):
        import numpy as np
        return {"arr": np.array([{"a": 1}, None], dtype=object)}

    @step(outputs=("model",))
    def extra(self):
        return {"model": 1, "modle": 2}

    @step(outputs=("model", "metrics"))
    def missing(self):
        return {"model": 1}

    @step(outputs=("model",))
    def nofile(self):
        return {"model": Path("/nonexistent/model.bin")}

    @step(foreach={"lr": [0.0001, 1.0, 3], "on": [True]}, outputs=("seen",))
    def sweep(self, item):
        return {"seen": {"item": item, "types": [type(item["lr"]).__name__, type(item["on"]).__name__],
                         "current": current.item}}

    @step(outputs=("draw",))
    def torch_draw(self):
        import torch
        return {"draw": float(torch.rand(1).item())}

    @step(outputs=("draws",))
    def draws(self):
        import numpy as np
        return {"draws": {"random": random.random(), "numpy": float(np.random.rand()),
                          "hash": hash("lockstep")}}
'''


@pytest.fixture
def project(tmp_path):
    p = tmp_path / "proj"
    p.mkdir()
    (p / "demo_flow.py").write_text(FLOW)
    (p / "table.csv").write_text("a\n1\n2\n")
    return p


def contract(tmp_path, seed=42, params=None, inputs=None, items=None):
    """The environment the engine gives a step, with real folders under tmp_path."""
    run = tmp_path / "task"
    for d in ("out", "tmp", "home", "meta"):
        (run / d).mkdir(parents=True, exist_ok=True)
    (run / "params.json").write_text(json.dumps(params or {"lr": 0.5, "name": "x"}))
    env = {
        "LOCKSTEP_OUTPUT_DIR": str(run / "out"), "TMPDIR": str(run / "tmp"), "HOME": str(run / "home"),
        "LOCKSTEP_SEED": str(seed), "PYTHONHASHSEED": str(seed), "LOCKSTEP_PARAMS": str(run / "params.json"),
        "LOCKSTEP_METRICS": str(run / "meta" / "metrics.json"), "LOCKSTEP_RUN": "abc123",
    }
    for k, v in (inputs or {}).items():
        env["LOCKSTEP_INPUT_" + k.upper()] = str(v)
    for k, v in (items or {}).items():
        env["LOCKSTEP_ITEM_" + k.upper()] = v
    return run, env


def exec_step(project, env, step):
    return run_py(["-m", "lockstep.exec", f"demo_flow:Demo.{step}"], cwd=project, env=env)


def test_outputs_params_and_metrics(project, tmp_path):
    run, env = contract(tmp_path, params={"lr": 0.01, "name": "y"}, inputs={"table": project / "table.csv"})
    r = exec_step(project, env, "good")
    assert r.returncode == 0, r.stderr
    out = run / "out"
    assert json.loads((out / "numbers" / "value.json").read_text()) == {"lr": 0.01, "name": "y", "step": "good", "seed": 42}
    assert (out / "copied" / "report.txt").read_text() == "report"
    assert (out / "folder" / "dir" / "a.txt").read_text() == "a"
    import numpy as np
    arr = np.load(out / "array" / "value.npy", allow_pickle=False)
    assert arr.tolist() == [[0, 1, 2], [3, 4, 5]] and arr.dtype == np.int32
    assert json.loads((out / "scalar" / "value.json").read_text()) == 2.5
    assert json.loads((run / "meta" / "metrics.json").read_text()) == {"rows": 3, "lr_seen": 0.01}


def test_an_arbitrary_object_is_never_pickled(project, tmp_path):
    run, env = contract(tmp_path)
    r = exec_step(project, env, "pickly")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "lockstep: step pickly: output 'model': cannot store a demo_flow.Model (Object of type Model is not JSON "
        "serializable); lockstep never pickles: return JSON data, a numpy array, or the path of a file you wrote "
        "(e.g. under lockstep.current.output_dir or $TMPDIR)"
    )
    assert [p.name for p in (run / "out").rglob("*") if p.is_file()] == []


def test_an_object_array_is_refused(project, tmp_path):
    run, env = contract(tmp_path)
    r = exec_step(project, env, "objects")
    assert r.returncode == 1
    assert "step objects: output 'arr': a numpy array of Python objects cannot be stored without pickle" in r.stderr
    assert not list((run / "out").rglob("*.npy"))


@pytest.mark.parametrize("step,message", [
    ("extra", "step extra returned output 'modle', which it does not declare; add it to @step(outputs=...) (declared: model)"),
    ("missing", "step missing did not return its declared output 'metrics'; return {'metrics': ...}"),
    ("nofile", "step nofile: output 'model': /nonexistent/model.bin does not exist; write the file before returning its path"),
])
def test_outputs_must_match_the_declaration(project, tmp_path, step, message):
    _, env = contract(tmp_path)
    r = exec_step(project, env, step)
    assert r.returncode == 1
    assert r.stderr.strip() == "lockstep: " + message


def test_item_values_keep_their_types(project, tmp_path):
    # The engine writes 0.0001 as "0.0001", 1.0 as "1", True as "true".
    run, env = contract(tmp_path, items={"lr": "1", "on": "true"})
    r = exec_step(project, env, "sweep")
    assert r.returncode == 0, r.stderr
    seen = json.loads((run / "out" / "seen" / "value.json").read_text())
    assert seen == {"item": {"lr": 1.0, "on": True}, "types": ["float", "bool"], "current": {"lr": 1.0, "on": True}}


def test_seed_is_applied_before_user_code(project, tmp_path):
    def draws(seed, sub):
        run, env = contract(tmp_path / sub, seed=seed)
        r = exec_step(project, env, "draws")
        assert r.returncode == 0, r.stderr
        return json.loads((run / "out" / "draws" / "value.json").read_text())

    a, b, c = draws(7, "a"), draws(7, "b"), draws(8, "c")
    assert a == b
    assert a["random"] != c["random"] and a["numpy"] != c["numpy"] and a["hash"] != c["hash"]
    import random
    import numpy as np
    random.seed(7)
    np.random.seed(7)
    assert a["random"] == random.random() and a["numpy"] == float(np.random.rand())


def test_outside_a_run_a_step_says_so(project, tmp_path):
    r = run_py(["-m", "lockstep.exec", "demo_flow:Demo.pickly"], cwd=project, env={"LOCKSTEP_OUTPUT_DIR": ""})
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "lockstep: step pickly: $LOCKSTEP_OUTPUT_DIR is not set; a step of a Python flow runs under lockstep "
        "(lockstep run FILE.py)"
    )
    assert sorted(p.name for p in project.iterdir()) == ["demo_flow.py", "table.csv"]


def test_unknown_step_and_usage(project, tmp_path):
    _, env = contract(tmp_path)
    r = exec_step(project, env, "nope")
    assert r.returncode == 1
    assert "Demo has no step 'nope' (steps: good, pickly, objects, extra, missing, nofile, sweep, torch_draw, draws)" in r.stderr
    r = run_py(["-m", "lockstep.exec", "demo_flow"], cwd=project, env=env)
    assert r.returncode == 2
    assert "want MODULE:CLASS.STEP" in r.stderr


def test_load_reads_back_what_a_step_stored(tmp_path):
    import numpy as np
    import lockstep
    from lockstep._runtime import store_outputs
    store_outputs("s", ["a", "b"], {"a": {"x": [1, 2]}, "b": np.ones(3)}, tmp_path)
    assert lockstep.load(tmp_path / "a") == {"x": [1, 2]}
    assert lockstep.load(tmp_path / "b").tolist() == [1.0, 1.0, 1.0]


def test_torch_is_seeded_when_the_step_imports_it(project, tmp_path):
    torch = pytest.importorskip("torch")

    def draw(seed, sub):
        run, env = contract(tmp_path / sub, seed=seed)
        r = exec_step(project, env, "torch_draw")
        assert r.returncode == 0, r.stderr
        return json.loads((run / "out" / "draw" / "value.json").read_text())

    torch.manual_seed(11)
    assert draw(11, "a") == float(torch.rand(1).item())
    assert draw(11, "b") != draw(12, "c")
