"""Decorators that turn a class into a lockstep flow, and its flow JSON.

A flow class is plain Python: ``@flow`` checks it and records what the
engine needs (the same model as a ``lockstep.yaml``); nothing runs until the
lockstep binary runs the flow. Every mistake found here is a ``FlowError``
whose message names the class, step or attribute and says how to fix it.
"""

import math
import os

# The flow file's name rules (see README "The flow file").
class _NameRule:
    """A name's first character and the rest, from sets of ASCII characters.

    Checked without the re module, whose import (with enum) costs every step
    several milliseconds: this module is imported in each task.
    """

    def __init__(self, first, rest):
        self.first, self.rest = frozenset(first), frozenset(rest)

    def match(self, s):
        return bool(s) and s[0] in self.first and all(c in self.rest for c in s[1:])


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
FLOW_NAME = _NameRule(_LOWER + _DIGITS, _LOWER + _DIGITS + "._-")
STEP_NAME = _NameRule(_LOWER + _DIGITS, _LOWER + _DIGITS + "_-")
VAR_NAME = _NameRule(_LOWER.upper() + _LOWER + "_", _LOWER.upper() + _LOWER + _DIGITS + "_")
MAX_NAME_LEN = 128

# Names a step may not take: attributes lockstep gives every flow instance,
# and names the command line or the records already use for something else.
RESERVED_STEP_NAMES = frozenset(
    {"code", "current", "flow", "item", "main", "metric", "params", "run", "seed", "step"}
)
# Parameter names of a step function that are not inputs.
ITEM_ARG = "item"

OUTPUT_KINDS = ("dir", "model")

# The command each step runs: the exec wrapper, given MODULE:CLASS.STEP.
EXEC_COMMAND = "python3 -m lockstep.exec {module}:{cls}.{step}"


class FlowError(ValueError):
    """A flow class that lockstep cannot turn into a flow; the message says why and how to fix it.

    line is the line of the flow file the problem is at (a step's decorator),
    when known.
    """

    def __init__(self, msg, line=None):
        super().__init__(msg)
        self.line = line


class Dataset:
    """A registered dataset input, ``Dataset("customers@3")`` (name@version)."""

    def __init__(self, ref):
        if not isinstance(ref, str) or ref.count("@") != 1 or ref.startswith("@") or ref.endswith("@"):
            raise FlowError(f"Dataset({ref!r}): want NAME@VERSION, e.g. Dataset(\"customers@3\")")
        self.ref = ref

    def __repr__(self):
        return f"Dataset({self.ref!r})"


class OutputRef:
    """Another step's output as an input: ``train.model`` in the class body, or the string ``"train.model"``."""

    def __init__(self, step, output):
        self.step = step
        self.output = output

    def __repr__(self):
        return f"{self.step}.{self.output}"


class Param:
    """A flow parameter: ``lr = param(3e-4)`` in the class body; ``self.lr`` reads its value in a step."""

    def __init__(self, default):
        self.default = default
        self.name = None

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        from . import _runtime

        params = _runtime.current.params
        if self.name in params:
            return params[self.name]
        return self.default

    def __repr__(self):
        return f"param({self.default!r})"


def param(default):
    """Declare a flow parameter with its default (a str, int, float or bool)."""
    return Param(default)


class StepDef:
    """A method decorated with ``@step``: the function and what the step declares.

    In the class body after the step, ``NAME.OUTPUT`` names one of its outputs
    (an ``OutputRef``) for another step's inputs.
    """

    def __init__(self, fn, inputs, outputs, needs, foreach, resources, options):
        self.fn = fn
        self.name = fn.__name__
        self.inputs = inputs
        self.outputs = outputs
        self.needs = needs
        self.foreach = foreach
        self.resources = resources
        self.options = options
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return self.fn.__get__(obj, owner)

    def __getattr__(self, attr):
        # Only called for attributes not found normally: output names.
        outputs = self.__dict__.get("outputs")
        if outputs is not None and attr in outputs:
            return OutputRef(self.__dict__["name"], attr)
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise AttributeError(
            f"step {self.__dict__.get('name')} has no output {attr!r}; its outputs: {', '.join(outputs or ()) or 'none'}"
        )

    def __repr__(self):
        return f"<lockstep step {self.name}>"


# Step keyword arguments that are settings, not inputs.
_STEP_SETTINGS = (
    "inputs", "outputs", "needs", "foreach", "cpus", "gpus", "memory", "time", "network",
    "env", "secrets", "sandbox", "fail_fast", "max_parallel", "max_items",
)


def step(fn=None, *, inputs=None, outputs=(), needs=(), foreach=None, cpus=None, gpus=None,
         memory=None, time=None, network=None, env=(), secrets=(), sandbox=None,
         fail_fast=None, max_parallel=None, max_items=None, **more_inputs):
    """Declare a method of a flow class as a step.

    inputs: NAME -> a project path (str), Dataset("name@version"), or another
    step's output ("train.model" or train.model). Further keyword arguments
    whose values are such references are inputs too: @step(data=Dataset(...)).
    outputs: names (each a directory output NAME/), or NAME -> "dir" | "model".
    needs: steps that must run first (names or steps). foreach: KEY -> values
    (a list, range or other iterable of scalars) or another step's directory
    output. cpus, gpus, memory ("4GiB"), time ("1h"): resources. network: True
    lets the step reach the network. The method receives each input as a
    keyword argument (a pathlib.Path) and, for a foreach step, ``item``.
    """
    for k, v in more_inputs.items():
        if not isinstance(v, (str, os.PathLike, Dataset, OutputRef, StepDef)):
            raise FlowError(
                f"@step: unknown argument {k}={v!r}; settings are {', '.join(_STEP_SETTINGS)}, "
                "and an input is a path, Dataset(...) or STEP.OUTPUT"
            )
    all_inputs = dict(inputs or {})
    for k, v in more_inputs.items():
        if k in all_inputs:
            raise FlowError(f"@step: input {k} is given twice, in inputs= and as {k}=")
        all_inputs[k] = v
    if isinstance(outputs, str):
        outputs = (outputs,)
    if isinstance(outputs, dict):
        outs = dict(outputs)
    else:
        outs = {name: "dir" for name in outputs}
    if isinstance(needs, (str, StepDef)):
        needs = (needs,)
    resources = {k: v for k, v in (("cpus", cpus), ("memory", memory), ("gpus", gpus), ("time", time)) if v is not None}
    options = {
        "network": network, "env": list(env), "secrets": list(secrets), "sandbox": sandbox,
        "fail-fast": fail_fast, "max-parallel": max_parallel, "max-items": max_items,
    }

    def wrap(f):
        if not callable(f) or isinstance(f, (staticmethod, classmethod)):
            raise FlowError(f"@step applies to a plain method, not {f!r}")
        return StepDef(f, all_inputs, outs, list(needs), foreach, resources, options)

    if fn is not None:
        return wrap(fn)
    return wrap


class FlowSpec:
    """What ``@flow`` found in a class: its name, seed, params and steps, in order."""

    def __init__(self, cls, name, seed, sandbox, secrets):
        self.cls = cls
        self.name = name
        self.seed = seed
        self.sandbox = sandbox
        self.secrets = list(secrets)
        self.params = {}
        self.steps = {}

    @property
    def where(self):
        return f"flow class {self.cls.__qualname__}"

    def error(self, msg):
        return FlowError(f"{self.where}: {msg}")


def flow(cls=None, *, seed=None, name=None, sandbox=None, secrets=()):
    """Declare a class as a lockstep flow: its ``param`` attributes are the
    flow's params, its ``@step`` methods its steps.

    seed: the run's seed (absent, lockstep draws one and reuses it). name: the
    flow's name (default: the class name in snake_case, lower-cased).
    """

    def wrap(c):
        if not isinstance(c, type):
            raise FlowError(f"@flow applies to a class, not {c!r}")
        spec = FlowSpec(c, name if name is not None else _snake(c.__name__), seed, sandbox, secrets)
        _check(spec)
        c.__lockstep_flow__ = spec
        if "metric" not in c.__dict__:
            c.metric = _metric_method
        return c

    if cls is not None:
        return wrap(cls)
    return wrap


def _metric_method(self, name, value):
    """Record a metric of this step (like lockstep.log_metric)."""
    from . import _runtime

    _runtime.log_metric(name, value)


def _snake(name):
    out = []
    for i, c in enumerate(name):
        prev = name[i - 1] if i else ""
        if "A" <= c <= "Z" and ("a" <= prev <= "z" or "0" <= prev <= "9"):
            out.append("_")
        out.append(c)
    return "".join(out).lower()


def spec_of(cls):
    """The FlowSpec of a class decorated with @flow, else a FlowError."""
    spec = getattr(cls, "__lockstep_flow__", None)
    if not isinstance(spec, FlowSpec) or spec.cls is not cls:
        raise FlowError(f"{getattr(cls, '__qualname__', cls)!r} is not a flow class: decorate it with @lockstep.flow")
    return spec


# ---------------------------------------------------------------- checks


def _check(spec):
    if not isinstance(spec.name, str) or len(spec.name) > MAX_NAME_LEN or not FLOW_NAME.match(spec.name):
        raise spec.error(
            f"flow name {spec.name!r} is invalid: use lowercase letters, digits, \".\", \"_\" and \"-\", "
            "starting with a letter or digit (pass name=... to @flow)"
        )
    if spec.seed is not None and (isinstance(spec.seed, bool) or not isinstance(spec.seed, int)
                                  or not 0 <= spec.seed <= 4294967295):
        raise spec.error(f"seed={spec.seed!r}: want an integer from 0 to 4294967295 (it is also PYTHONHASHSEED)")
    if spec.sandbox not in (None, "required", "none"):
        raise spec.error(f"sandbox={spec.sandbox!r}: want \"required\" or \"none\"")
    # Params and steps, in definition order along the class's bases (a
    # subclass's own definitions last, overriding).
    members = {}
    for klass in reversed(spec.cls.__mro__[:-1]):
        for attr, val in vars(klass).items():
            if isinstance(val, (Param, StepDef)):
                members[attr] = val
            elif attr in members:
                del members[attr]
    for attr, val in members.items():
        if isinstance(val, Param):
            spec.params[attr] = _check_param(spec, attr, val.default)
    steps = {attr: val for attr, val in members.items() if isinstance(val, StepDef)}
    if not steps:
        raise spec.error("no steps: decorate at least one method with @lockstep.step")
    for attr, sd in steps.items():
        try:
            _check_step_name(spec, attr)
        except FlowError as e:
            e.line = sd.fn.__code__.co_firstlineno
            raise
        if sd.name != attr:
            raise spec.error(f"step {attr} is the step {sd.name} under another name; define each step once")
    spec.steps = steps
    for sd in steps.values():
        try:
            _check_step(spec, sd)
        except FlowError as e:
            e.line = e.line or sd.fn.__code__.co_firstlineno
            raise
    _check_cycles(spec)


def _check_param(spec, attr, value):
    if not VAR_NAME.match(attr) or len(attr) > MAX_NAME_LEN:
        raise spec.error(f"param {attr}: names use letters, digits and \"_\", not starting with a digit")
    if attr == "metric":
        raise spec.error("param metric: 'metric' is reserved (self.metric records a metric); rename the param")
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise spec.error(f"param {attr} = param({value!r}): a param must be a finite number")
        return value
    raise spec.error(
        f"param {attr} = param({value!r}): a {type(value).__name__} cannot be a param; "
        "params are scalars (str, int, float or bool): put lists and tables in an input file"
    )


def _check_step_name(spec, name):
    if name in RESERVED_STEP_NAMES:
        raise spec.error(
            f"step {name}: {name!r} is a reserved name (reserved: {', '.join(sorted(RESERVED_STEP_NAMES))}); rename the method"
        )
    if len(name) > MAX_NAME_LEN or not STEP_NAME.match(name):
        raise spec.error(
            f"step {name}: step names use lowercase letters, digits and \"_\", starting with a letter or digit; rename the method"
        )


def _check_step(spec, sd):
    where = f"step {sd.name}"
    for out, kind in sd.outputs.items():
        if not isinstance(out, str) or not VAR_NAME.match(out):
            raise spec.error(f"{where}: output {out!r}: names use letters, digits and \"_\", not starting with a digit")
        if kind not in OUTPUT_KINDS:
            raise spec.error(f"{where}: output {out} has kind {kind!r}: want one of {', '.join(OUTPUT_KINDS)}")
    _unique_upper(spec, where, "output", sd.outputs)
    resolved = {}
    for name, ref in sd.inputs.items():
        if not isinstance(name, str) or not VAR_NAME.match(name):
            raise spec.error(f"{where}: input {name!r}: names use letters, digits and \"_\", not starting with a digit")
        if name in (ITEM_ARG, "self"):
            raise spec.error(f"{where}: input {name!r} is reserved (the method receives `item` for a foreach step); rename it")
        resolved[name] = _resolve_input(spec, where + f": input {name}", ref)
    _unique_upper(spec, where, "input", resolved)
    sd.resolved_inputs = resolved
    sd.resolved_needs = []
    for n in sd.needs:
        target = n.name if isinstance(n, StepDef) else n
        if target not in spec.steps:
            raise spec.error(f"{where}: needs {target!r}, which is not a step of this flow (steps: {', '.join(spec.steps)})")
        if target == sd.name:
            raise spec.error(f"{where}: needs itself")
        sd.resolved_needs.append(target)
    sd.resolved_foreach = _check_foreach(spec, sd, where)
    _check_signature(spec, sd, where)
    _check_resources(spec, sd, where)


def _unique_upper(spec, where, what, names):
    seen = {}
    for n in names:
        u = n.upper()
        if u in seen:
            raise spec.error(f"{where}: {what}s {seen[u]} and {n} differ only in case; both would be the same variable")
        seen[u] = n


def _resolve_input(spec, where, ref):
    """An input reference as the flow JSON's explicit form."""
    if isinstance(ref, Dataset):
        return {"dataset": ref.ref}
    if isinstance(ref, StepDef):
        raise spec.error(f"{where}: name one output of step {ref.name}, e.g. {ref.name}.{next(iter(ref.outputs), 'OUTPUT')}")
    if isinstance(ref, OutputRef):
        return _output_ref(spec, where, ref.step, ref.output)
    if isinstance(ref, os.PathLike):
        return {"path": _project_path(spec, where, os.fspath(ref))}
    if isinstance(ref, str):
        if "@" in ref:
            return {"dataset": Dataset(ref).ref}
        head, dot, tail = ref.partition(".")
        if dot and head in spec.steps and "/" not in ref:
            return _output_ref(spec, where, head, tail)
        return {"path": _project_path(spec, where, ref)}
    raise spec.error(f"{where}: {ref!r} is not an input; use a project path, Dataset(\"name@version\") or STEP.OUTPUT")


def _output_ref(spec, where, step_name, output):
    target = spec.steps.get(step_name)
    if target is None:
        raise spec.error(f"{where}: {step_name}.{output} names no step of this flow (steps: {', '.join(spec.steps)})")
    if output not in target.outputs:
        raise spec.error(
            f"{where}: step {step_name} has no output {output!r} (its outputs: {', '.join(target.outputs) or 'none'})"
        )
    return {"step": step_name, "output": output}


def _project_path(spec, where, p):
    if not p or os.path.isabs(p) or ".." in p.replace(os.sep, "/").split("/"):
        raise spec.error(f"{where}: path {p!r} must be relative to the flow file's folder and stay inside it")
    return p.replace(os.sep, "/")


def _check_foreach(spec, sd, where):
    if sd.foreach is None:
        for k in ("fail-fast", "max-parallel", "max-items"):
            if sd.options[k] is not None:
                raise spec.error(f"{where}: {k.replace('-', '_')}= applies only to a foreach step")
        return None
    if not isinstance(sd.foreach, dict) or not sd.foreach:
        raise spec.error(f"{where}: foreach= wants a dict KEY -> values, e.g. foreach={{\"lr\": [0.1, 0.01]}}")
    out = {}
    for key, values in sd.foreach.items():
        kw = f"{where}: foreach {key!r}"
        if not isinstance(key, str) or not VAR_NAME.match(key):
            raise spec.error(f"{kw}: keys use letters, digits and \"_\", not starting with a digit")
        if isinstance(values, (OutputRef, str)):
            ref = values if isinstance(values, OutputRef) else None
            if ref is None:
                head, dot, tail = values.partition(".")
                if not dot:
                    raise spec.error(f"{kw}: {values!r} is neither a list of values nor STEP.OUTPUT")
                ref = OutputRef(head, tail)
            r = _output_ref(spec, kw, ref.step, ref.output)
            if any(k.upper() == key.upper() for k in sd.inputs):
                raise spec.error(f"{kw}: {key} is also an input of this step; both would be $LOCKSTEP_INPUT_{key.upper()}")
            out[key] = r
            continue
        try:
            vals = list(values)
        except TypeError:
            raise spec.error(f"{kw}: want a list (or range) of values or STEP.OUTPUT, got {values!r}") from None
        if not vals:
            raise spec.error(f"{kw}: the list is empty, so the step would have no items")
        for v in vals:
            if isinstance(v, float) and not math.isfinite(v) or not isinstance(v, (str, int, float, bool)):
                raise spec.error(f"{kw}: value {v!r} is not a scalar (str, int, finite float or bool)")
        out[key] = vals
    _unique_upper(spec, where, "foreach key", out)
    return out


class Signature:
    """What a step method's parameters are, read without the inspect module
    (its import alone costs every step's process milliseconds)."""

    def __init__(self, first, named, var_kw, positional):
        self.first = first            # the first parameter (self), or None
        self.named = named            # name -> has a default, for parameters passable by keyword
        self.var_kw = var_kw          # takes **kwargs
        self.positional = positional  # positional-only parameters and *args after self


def signature(fn):
    """The Signature of a plain function (a method's, self included)."""
    code = getattr(fn, "__code__", None)
    if code is None or hasattr(fn, "__wrapped__"):
        return _signature_by_inspect(fn)
    names = code.co_varnames
    n_pos, n_kw = code.co_argcount, code.co_kwonlyargcount
    n_posonly = getattr(code, "co_posonlyargcount", 0)
    defaults = len(fn.__defaults__ or ())
    kwdefaults = fn.__kwdefaults__ or {}
    var_pos = bool(code.co_flags & 0x04)
    var_kw = bool(code.co_flags & 0x08)
    first = names[0] if n_pos else None
    named, positional = {}, []
    for i in range(1, n_pos):
        if i < n_posonly:
            positional.append(names[i])
        else:
            named[names[i]] = i >= n_pos - defaults
    for name in names[n_pos:n_pos + n_kw]:
        named[name] = name in kwdefaults
    if var_pos:
        positional.append(names[n_pos + n_kw])
    return Signature(first, named, var_kw, positional)


def _signature_by_inspect(fn):
    import inspect

    ps = list(inspect.signature(fn).parameters.values())
    first = ps[0].name if ps and ps[0].kind in (ps[0].POSITIONAL_ONLY, ps[0].POSITIONAL_OR_KEYWORD) else None
    rest = ps[1:] if first else ps
    named = {p.name: p.default is not p.empty for p in rest if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    positional = [p.name for p in rest if p.kind in (p.POSITIONAL_ONLY, p.VAR_POSITIONAL)]
    return Signature(first, named, any(p.kind == p.VAR_KEYWORD for p in rest), positional)


def _check_signature(spec, sd, where):
    try:
        sig = signature(sd.fn)
    except (TypeError, ValueError):
        raise spec.error(f"{where}: cannot read the method's signature") from None
    if sig.first is None:
        raise spec.error(f"{where}: a step is a method; its first parameter is self")
    if sig.positional:
        raise spec.error(
            f"{where}: parameter {sig.positional[0]}: inputs are passed by keyword; remove the positional-only parameter or *args"
        )
    named = sig.named
    expected = set(sd.resolved_inputs)
    if sd.resolved_foreach is not None:
        expected.add(ITEM_ARG)
    elif ITEM_ARG in named:
        raise spec.error(f"{where}: parameter item: only a foreach step receives item; add foreach= or remove the parameter")
    extra = [n for n, has_default in named.items() if n not in expected and not has_default]
    if extra:
        raise spec.error(
            f"{where}: parameter {extra[0]} is not an input of the step (inputs: {', '.join(sd.resolved_inputs) or 'none'}); "
            f"declare it in inputs= or remove it"
        )
    missing = [n for n in sd.resolved_inputs if n not in named]
    if missing and not sig.var_kw:
        raise spec.error(
            f"{where}: input {missing[0]} is not a parameter of the method; add `{missing[0]}` to its parameters"
        )


def _check_resources(spec, sd, where):
    r = sd.resources
    if "cpus" in r and (isinstance(r["cpus"], bool) or not isinstance(r["cpus"], (int, float)) or r["cpus"] <= 0):
        raise spec.error(f"{where}: cpus={r['cpus']!r}: want a number above 0, e.g. 2 or 0.5")
    if "gpus" in r and (isinstance(r["gpus"], bool) or not isinstance(r["gpus"], int) or not 0 <= r["gpus"] <= 1024):
        raise spec.error(f"{where}: gpus={r['gpus']!r}: want an integer from 0 to 1024")
    for k, example in (("memory", "4GiB"), ("time", "1h30m")):
        if k in r and not isinstance(r[k], str):
            raise spec.error(f"{where}: {k}={r[k]!r}: want a string like {example!r}")
    o = sd.options
    if o["network"] is not None and not isinstance(o["network"], bool):
        raise spec.error(f"{where}: network={o['network']!r}: want True or False")
    if o["sandbox"] not in (None, "required", "none"):
        raise spec.error(f"{where}: sandbox={o['sandbox']!r}: want \"required\" or \"none\"")


def _deps(sd):
    deps = list(sd.resolved_needs)
    for r in sd.resolved_inputs.values():
        if "step" in r:
            deps.append(r["step"])
    for v in (sd.resolved_foreach or {}).values():
        if isinstance(v, dict):
            deps.append(v["step"])
    return deps


def _check_cycles(spec):
    state = {}

    def visit(name, path):
        state[name] = "active"
        for d in _deps(spec.steps[name]):
            if state.get(d) == "active":
                cycle = path[path.index(d):] + [d]
                raise spec.error(f"dependency cycle: {' -> '.join(cycle)}; remove one of these needs or inputs")
            if d not in state:
                visit(d, path + [d])
        state[name] = "done"

    for name in spec.steps:
        if name not in state:
            visit(name, [name])


# ---------------------------------------------------------------- flow JSON


def flow_dict(cls, module):
    """The flow model of a flow class as a dict with the keys of lockstep.yaml.

    module is the name the step commands import the class from.
    """
    spec = spec_of(cls)
    if not VAR_NAME.match(module.split(".")[-1]):
        raise spec.error(f"module {module!r} cannot be imported by name; rename the file to a Python identifier, e.g. my_flow.py")
    d = {"flow": spec.name}
    if spec.seed is not None:
        d["seed"] = spec.seed
    if spec.sandbox is not None:
        d["sandbox"] = spec.sandbox
    if spec.secrets:
        d["secrets"] = list(spec.secrets)
    if spec.params:
        d["params"] = dict(spec.params)
    steps = {}
    for name, sd in spec.steps.items():
        s = {"run": EXEC_COMMAND.format(module=module, cls=cls.__qualname__, step=name)}
        if sd.resolved_inputs:
            s["inputs"] = dict(sd.resolved_inputs)
        if sd.outputs:
            s["outputs"] = {
                o: (o + "/" if kind == "dir" else {"path": o + "/", "kind": kind}) for o, kind in sd.outputs.items()
            }
        if sd.resolved_needs:
            s["needs"] = list(sd.resolved_needs)
        if sd.resolved_foreach is not None:
            s["foreach"] = {
                k: (f"{v['step']}.{v['output']}" if isinstance(v, dict) else v) for k, v in sd.resolved_foreach.items()
            }
        if sd.resources:
            s["resources"] = dict(sd.resources)
        o = sd.options
        for key in ("network", "sandbox", "fail-fast", "max-parallel", "max-items"):
            if o[key] is not None:
                s[key] = o[key]
        if o["env"]:
            s["env"] = o["env"]
        if o["secrets"]:
            s["secrets"] = o["secrets"]
        steps[name] = s
    d["steps"] = steps
    return d


def flow_json(cls, module):
    """The flow JSON of a flow class: what ``python3 -m lockstep flow-json FILE.py`` prints."""
    import json

    return json.dumps(flow_dict(cls, module), indent=2, allow_nan=False) + "\n"
