"""Run one step of a Python flow: ``python3 -m lockstep.exec MODULE:CLASS.STEP``.

This is the command of every step of a Python flow; the lockstep engine runs
it like any step's command, in the sandbox, with the code snapshot as the
working directory. In order it: seeds random (and numpy and torch, now or
when first imported) from $LOCKSTEP_SEED; imports MODULE once; calls the
step with its inputs as keyword arguments (pathlib.Path of
$LOCKSTEP_INPUT_<NAME>) and, for a foreach step, ``item``; then stores the
returned dict under $LOCKSTEP_OUTPUT_DIR, one folder per declared output.
Nothing is ever pickled.
"""

import importlib
import os
import sys

from . import _runtime, _spec

USAGE = "usage: python3 -m lockstep.exec MODULE:CLASS.STEP (the command lockstep gives each step of a Python flow)"


class _Usage(Exception):
    pass


def go_value_string(v):
    """A foreach value as the engine writes it in $LOCKSTEP_ITEM_<KEY>."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _go_float(v)
    return str(v)


def _go_float(x):
    # Go's strconv.FormatFloat(x, 'g', -1, 64): the shortest digits that
    # round-trip; %e form (two exponent digits at least) when the exponent
    # is below -4 or at least 6, else %f.
    from decimal import Decimal

    if x == 0:
        return "-0" if str(x).startswith("-") else "0"
    sign, digits, exp = Decimal(repr(x)).normalize().as_tuple()
    ds = "".join(map(str, digits))
    dp = len(ds) + exp
    e = dp - 1
    neg = "-" if sign else ""
    if e < -4 or e >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{neg}{mant}e{'-' if e < 0 else '+'}{abs(e):02d}"
    if dp <= 0:
        return f"{neg}0.{'0' * -dp}{ds}"
    if dp >= len(ds):
        return f"{neg}{ds}{'0' * (dp - len(ds))}"
    return f"{neg}{ds[:dp]}.{ds[dp:]}"


def _item(sd):
    if sd.resolved_foreach is None:
        return None
    item = {}
    for key, values in sd.resolved_foreach.items():
        if isinstance(values, dict):
            # An entry of another step's directory output: its path.
            from pathlib import Path

            item[key] = Path(_env("LOCKSTEP_INPUT_" + key.upper(), sd.name))
            continue
        raw = _env("LOCKSTEP_ITEM_" + key.upper(), sd.name)
        item[key] = next((v for v in values if go_value_string(v) == raw), raw)
    return item


def _env(name, step):
    v = os.environ.get(name)
    if not v:
        raise _runtime.StepError(
            f"step {step}: ${name} is not set; a step of a Python flow runs under lockstep (lockstep run FILE.py)"
        )
    return v


def _resolve(target):
    module, colon, rest = target.partition(":")
    cls_path, dot, step = rest.rpartition(".")
    if not (module and colon and cls_path and dot and step):
        raise _Usage(f"{target!r}: want MODULE:CLASS.STEP\n{USAGE}")
    return module, cls_path, step


def run(target):
    """Run the step named by target (MODULE:CLASS.STEP) under the step contract."""
    module, cls_path, step = _resolve(target)
    seed = _runtime.current.seed
    if seed is not None:
        _runtime.apply_seed(seed)
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    obj = importlib.import_module(module)
    for part in cls_path.split("."):
        if not hasattr(obj, part):
            raise _runtime.StepError(f"{target}: module {module} has no {cls_path}")
        obj = getattr(obj, part)
    cls = obj
    spec = _spec.spec_of(cls)
    sd = spec.steps.get(step)
    if sd is None:
        raise _runtime.StepError(f"{target}: {cls_path} has no step {step!r} (steps: {', '.join(spec.steps)})")
    out_dir = _env("LOCKSTEP_OUTPUT_DIR", step)
    kwargs = {}
    if sd.resolved_inputs:
        from pathlib import Path  # only here: a step without inputs starts without it

        kwargs = {name: Path(_env("LOCKSTEP_INPUT_" + name.upper(), step)) for name in sd.resolved_inputs}
    item = _item(sd)
    sig = _spec.signature(sd.fn)
    if item is not None and (_spec.ITEM_ARG in sig.named or sig.var_kw):
        kwargs[_spec.ITEM_ARG] = item
    _runtime.current._enter(step, item)
    instance = cls()
    result = sd.fn(instance, **kwargs)
    _runtime.store_outputs(step, list(sd.outputs), result, out_dir)


def main(argv=None):
    """The command line: one argument, MODULE:CLASS.STEP. Exit 0 ok, 1 the step failed, 2 usage."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        run(argv[0])
    except _Usage as e:
        print(f"lockstep.exec: {e}", file=sys.stderr)
        return 2
    except (_runtime.StepError, _spec.FlowError) as e:
        print(f"lockstep: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
