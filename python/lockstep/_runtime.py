"""What a step sees while it runs: ``current``, metrics, seeds and outputs.

Everything here reads the step contract the engine sets up (README "The step
contract"): $LOCKSTEP_SEED, $LOCKSTEP_PARAMS, $LOCKSTEP_METRICS,
$LOCKSTEP_OUTPUT_DIR, $LOCKSTEP_RUN. Outside a run (a step method called
from a notebook or a test) params fall back to their defaults and metrics
are only kept in memory.
"""

import math
import os
import random
import sys

# json, shutil and pathlib are imported where they are used: a step that
# reads no params and stores no outputs then starts without them (together
# about 15 ms of every task's start-up).


class StepError(Exception):
    """A step's result lockstep refuses to store; the message names the step and the key."""


class Current:
    """The running step: ``lockstep.current.step``, ``.item``, ``.seed``, ``.params``, ``.run``."""

    def __init__(self):
        self._step = None
        self._item = None
        self._params = None
        self._metrics = None

    @property
    def run(self):
        """The run id ($LOCKSTEP_RUN), or None outside a run."""
        return os.environ.get("LOCKSTEP_RUN") or None

    @property
    def step(self):
        """The name of the running step, or None outside a step."""
        return self._step

    @property
    def item(self):
        """The foreach item of the running task (a dict KEY -> value), or None."""
        return self._item

    @property
    def seed(self):
        """The task's seed ($LOCKSTEP_SEED): already applied to random, numpy and torch."""
        s = os.environ.get("LOCKSTEP_SEED")
        return int(s) if s else None

    @property
    def params(self):
        """The step's resolved params (typed, from $LOCKSTEP_PARAMS); {} outside a run."""
        import json
        
        if self._params is None:
            path = os.environ.get("LOCKSTEP_PARAMS")
            if not path:
                return {}
            with open(path, encoding="utf-8") as f:
                self._params = json.load(f)
        return self._params

    @property
    def output_dir(self):
        """$LOCKSTEP_OUTPUT_DIR, or None outside a run."""
        from pathlib import Path
        
        d = os.environ.get("LOCKSTEP_OUTPUT_DIR")
        return Path(d) if d else None

    @property
    def metrics(self):
        """The metrics recorded so far by this step (a copy)."""
        return dict(self._load_metrics())

    def metric(self, name, value):
        """Record a metric: the same as lockstep.log_metric(name, value)."""
        log_metric(name, value)

    def _load_metrics(self):
        import json
        
        if self._metrics is None:
            self._metrics = {}
            path = os.environ.get("LOCKSTEP_METRICS")
            if path and os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    loaded = json.load(f)
                if isinstance(loaded, dict):
                    self._metrics = loaded
        return self._metrics

    def _enter(self, step, item):
        self._step, self._item, self._params = step, item, None


current = Current()


def log_metric(name, value):
    """Record metric NAME = VALUE (a number, bool or string) in $LOCKSTEP_METRICS.

    The run records it with the task; ``lockstep show`` prints it and
    ``lockstep diff`` compares it. Logging a name again replaces its value.
    """
    import json
    from pathlib import Path
    
    if not isinstance(name, str) or not name:
        raise ValueError(f"log_metric: the name must be a non-empty string, got {name!r}")
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"log_metric({name!r}, {value!r}): a metric must be finite (JSON has no NaN or infinity)")
    if not isinstance(value, (int, float, str, bool)):
        raise ValueError(f"log_metric({name!r}, ...): a metric is a number, bool or string, got {type(value).__name__}")
    metrics = current._load_metrics()
    metrics[name] = value
    path = os.environ.get("LOCKSTEP_METRICS")
    if path:
        _write_atomic(Path(path), (json.dumps(metrics, indent=2, sort_keys=True) + "\n").encode())


def _write_atomic(path, data):
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# ---------------------------------------------------------------- seeds


def _seed_numpy(np, seed):
    np.random.seed(seed % 2**32)


def _seed_torch(torch, seed):
    torch.manual_seed(seed)


_SEEDERS = {"numpy": _seed_numpy, "torch": _seed_torch}


class _SeedOnImport:
    """Seeds numpy and torch the moment they are first imported.

    Importing torch only to seed it would cost every step a second or more;
    this way a step pays for what it imports and is seeded all the same.
    """

    def __init__(self, seed):
        self.seed = seed

    def find_spec(self, name, path, target=None):
        seeder = _SEEDERS.get(name)
        if seeder is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _SeedingLoader(spec.loader, seeder, self.seed)
                return spec
        return None


class _SeedingLoader:
    def __init__(self, loader, seeder, seed):
        self._loader, self._seeder, self._seed = loader, seeder, seed

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._seeder(module, self._seed)

    def __getattr__(self, attr):
        return getattr(self._loader, attr)


def apply_seed(seed):
    """Seed random now, and numpy and torch now or when they are first imported."""
    random.seed(seed)
    for name, seeder in _SEEDERS.items():
        if name in sys.modules:
            seeder(sys.modules[name], seed)
    if not any(isinstance(f, _SeedOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _SeedOnImport(seed))


# ---------------------------------------------------------------- outputs


def store_outputs(step, declared, result, out_dir):
    """Store a step's returned dict: each declared output NAME becomes out_dir/NAME/.

    A str or Path naming an existing file or folder is copied in under its
    base name; a numpy array is NAME/value.npy (never pickled); a JSON value
    is NAME/value.json. A Path that does not exist, an undeclared or missing
    output, or a value of any other type raises StepError.
    """
    from pathlib import Path
    
    if result is None:
        result = {}
    if not isinstance(result, dict):
        raise StepError(
            f"step {step} returned a {type(result).__name__}; return a dict OUTPUT -> value "
            f"(outputs: {', '.join(declared) or 'none'})"
        )
    for key in result:
        if key not in declared:
            raise StepError(
                f"step {step} returned output {key!r}, which it does not declare; "
                f"add it to @step(outputs=...) (declared: {', '.join(declared) or 'none'})"
            )
    for key in declared:
        if key not in result:
            raise StepError(f"step {step} did not return its declared output {key!r}; return {{{key!r}: ...}}")
    for key in declared:
        dest = Path(out_dir) / key
        dest.mkdir(parents=True, exist_ok=True)
        _store_value(step, key, result[key], dest)


def _store_value(step, key, value, dest):
    import json
    from pathlib import Path
    
    where = f"step {step}: output {key!r}"
    if isinstance(value, (str, os.PathLike)):
        p = Path(os.fspath(value))
        if p.exists():
            _copy_in(p, dest / p.name)
            return
        if isinstance(value, os.PathLike):
            raise StepError(f"{where}: {os.fspath(value)} does not exist; write the file before returning its path")
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise StepError(
                f"{where}: a numpy array of Python objects cannot be stored without pickle, which lockstep never uses; "
                "convert it to a numeric or string dtype"
            )
        with open(dest / "value.npy", "wb") as f:
            np.save(f, value, allow_pickle=False)
        return
    if np is not None and isinstance(value, np.generic):
        value = value.item()
    try:
        text = json.dumps(value, indent=2, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as e:
        raise StepError(
            f"{where}: cannot store a {type(value).__module__}.{type(value).__qualname__} ({e}); "
            "lockstep never pickles: return JSON data, a numpy array, or the path of a file you wrote "
            "(e.g. under lockstep.current.output_dir or $TMPDIR)"
        ) from None
    (dest / "value.json").write_text(text + "\n", encoding="utf-8")


def _copy_in(src, dst):
    """Copy src (a file or folder) to dst. Files the step wrote (under its
    $TMPDIR or $LOCKSTEP_OUTPUT_DIR) are hard-linked instead where possible;
    anything else, such as a file of the code snapshot, is copied, so an
    output never shares its inode with a stored object."""
    import shutil
    
    copy = _link_or_copy if _written_by_step(src) else shutil.copy2
    if src.is_dir():
        shutil.copytree(src, dst, copy_function=copy, symlinks=False)
    else:
        copy(str(src), str(dst))


def _written_by_step(p):
    real = os.path.realpath(p)
    for var in ("TMPDIR", "LOCKSTEP_OUTPUT_DIR"):
        d = os.environ.get(var)
        if d and os.path.commonpath([real, os.path.realpath(d)]) == os.path.realpath(d):
            return True
    return False


def _link_or_copy(src, dst):
    import shutil
    
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


# ---------------------------------------------------------------- inputs


def load(path):
    """Read back what a step of a Python flow stored as an output.

    path is the input a step received for another step's output (a folder
    NAME/): its value.json is returned as the JSON value, its value.npy as a
    numpy array (loaded with allow_pickle=False); a folder holding anything
    else (files the step returned by path) is returned as the path itself.
    """
    import json
    from pathlib import Path
    
    p = Path(path)
    if (p / "value.json").is_file():
        with open(p / "value.json", encoding="utf-8") as f:
            return json.load(f)
    if (p / "value.npy").is_file():
        import numpy as np

        return np.load(p / "value.npy", allow_pickle=False)
    return p


def items(path):
    """The items of a foreach step's output, gathered for a later step: a list of
    (item, value) in item order, item the dict of the item's values and value
    what load() reads from its folder."""
    import json
    from pathlib import Path
    
    p = Path(path)
    with open(p / "items.json", encoding="utf-8") as f:
        listed = json.load(f)
    return [(entry.get("item") or {}, load(p / entry["dir"])) for entry in listed]
