"""The command line of the Python package.

``python3 -m lockstep flow-json FILE.py`` prints the flow JSON of the flow
class in FILE.py (what ``lockstep run FILE.py`` reads); any other command
(``python3 -m lockstep show last``) is handed to the lockstep binary.
``python FILE.py run [ARGS]`` (with ``lockstep.main()`` under
``if __name__ == "__main__":``) runs ``lockstep run FILE.py ARGS``.
"""

import contextlib
import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import traceback

from . import __version__, _spec

USAGE = """usage:
  python3 -m lockstep flow-json FILE.py[:CLASS]   print the flow JSON of the flow class in FILE.py
  python3 -m lockstep COMMAND [ARGS]              the lockstep binary's COMMAND (show last, runs, ...)
  python3 FILE.py run [ARGS]                      lockstep run FILE.py ARGS (FILE.py calls lockstep.main())"""


class CLIError(Exception):
    """A usage or input error: printed as one line, exit code 2."""


def load_flow_file(arg):
    """Import the flow file FILE.py (optionally FILE.py:CLASS) as its module name; return (module name, class).

    The file is imported once, as the steps will import it: by its base name,
    with its folder first on sys.path, so module-level code runs here too.
    """
    path, _, clsname = arg.partition(":") if not os.path.exists(arg) else (arg, "", "")
    if not path.endswith(".py"):
        raise CLIError(f"{path}: a Python flow is a .py file")
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such file")
    folder = os.path.dirname(os.path.abspath(path))
    module = os.path.basename(path)[:-3]
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", module):
        raise CLIError(f"{path}: steps import the flow by its file name, which must be a Python identifier: rename it, e.g. {re.sub(r'[^A-Za-z0-9_]', '_', module)}.py")
    if module in sys.modules and _file_of(sys.modules[module]) != os.path.abspath(path) or module in _stdlib():
        raise CLIError(f"{path}: the name {module!r} is taken by another module ({_file_of(sys.modules.get(module)) or 'the standard library'}); rename the file")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    found = importlib.util.find_spec(module)
    if found is None or os.path.abspath(found.origin or "") != os.path.abspath(path):
        raise CLIError(f"{path}: importing {module!r} finds {found.origin if found else 'nothing'} instead; rename the file")
    try:
        mod = importlib.import_module(module)
    except _spec.FlowError as e:
        line = f":{e.line}" if e.line else ""
        raise CLIError(f"{path}{line}: {e}") from None
    except Exception:
        traceback.print_exc()
        raise CLIError(f"{path}: importing it failed (the traceback above); fix the error and run again") from None
    flows = [v for v in vars(mod).values() if isinstance(v, type) and "__lockstep_flow__" in vars(v) and v.__module__ == module]
    if clsname:
        flows = [f for f in flows if f.__qualname__ == clsname]
        if not flows:
            raise CLIError(f"{path}: no flow class {clsname!r} in it")
    if not flows:
        raise CLIError(f"{path}: no flow class in it; decorate a class with @lockstep.flow")
    if len(flows) > 1:
        names = ", ".join(f.__qualname__ for f in flows)
        raise CLIError(f"{path}: {len(flows)} flow classes ({names}); name one, {path}:CLASS, or keep one flow per file")
    return module, flows[0]


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send what the flow module prints while it is imported to stderr, so
    stdout carries the flow JSON alone (Python's prints and the fd's writes)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _file_of(mod):
    f = getattr(mod, "__file__", None)
    return os.path.abspath(f) if f else None


def _stdlib():
    return getattr(sys, "stdlib_module_names", frozenset({"json", "random", "os", "sys", "re", "math"}))


def flow_json_command(args):
    if len(args) != 1:
        raise CLIError("flow-json takes one argument, FILE.py")
    with _stdout_to_stderr():
        module, cls = load_flow_file(args[0])
    try:
        text = _spec.flow_json(cls, module)
    except _spec.FlowError as e:
        line = f":{e.line}" if e.line else ""
        raise CLIError(f"{args[0]}{line}: {e}") from None
    sys.stdout.write(text)
    return 0


def binary():
    """The lockstep binary: $LOCKSTEP_BIN, else `lockstep` on PATH; checked against this package's version."""
    exe = os.environ.get("LOCKSTEP_BIN") or shutil.which("lockstep")
    if not exe:
        raise CLIError("the lockstep binary is not on PATH: install it (README, Install) or set LOCKSTEP_BIN to its path")
    check_version(exe)
    return exe


RELEASE_RE = re.compile(r"\bv(\d+\.\d+\.\d+)\s*$")


def check_version(exe):
    """Refuse a release binary (``lockstep version vX.Y.Z``) of another release than this package.

    Development builds (a commit, a pseudo-version, ``dev``) are not checked:
    they belong to no release.
    """
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError as e:
        raise CLIError(f"cannot run {exe}: {e}") from None
    m = RELEASE_RE.search(out)
    if m and m.group(1) != __version__:
        raise CLIError(
            f"{exe} is lockstep v{m.group(1)} but the Python package is {__version__}: "
            f"install the package from the same release (pip install python/ from its source)"
        )


def _exec(argv):
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)


def passthrough(args):
    _exec([binary()] + list(args))


def main(argv=None):
    """``python3 -m lockstep``: flow-json, or a command of the lockstep binary."""
    args = sys.argv[1:] if argv is None else argv
    try:
        if not args or args[0] in ("-h", "--help"):
            print(USAGE)
            return 0 if args else 2
        if args[0] == "flow-json":
            return flow_json_command(args[1:])
        passthrough(args)
    except CLIError as e:
        print(f"lockstep: {e}", file=sys.stderr)
        return 2
    return 0


def flow_main(argv=None):
    """The command line of a flow file: ``python FILE.py run [ARGS]`` runs ``lockstep run FILE.py ARGS``;
    ``python FILE.py flow-json`` prints its flow JSON; other commands go to the binary. It exits
    with the command's exit code."""
    sys.exit(_flow_main(argv))


def _flow_main(argv):
    main_mod = sys.modules.get("__main__")
    path = getattr(main_mod, "__file__", None)
    args = sys.argv[1:] if argv is None else argv
    try:
        if not path or not path.endswith(".py"):
            raise CLIError("lockstep.main() runs the flow file it is called from: call it from FILE.py under if __name__ == \"__main__\":")
        rel = os.path.relpath(path)
        if not args or args[0] in ("-h", "--help"):
            print(f"usage: python {rel} run [lockstep run flags]   |   python {rel} flow-json   |   python {rel} COMMAND (a lockstep command)")
            return 0 if args else 2
        if args[0] == "flow-json":
            return flow_json_command([path] + args[1:])
        if args[0] == "run":
            _exec([binary(), "run", path] + args[1:])
        passthrough(args)
    except CLIError as e:
        print(f"lockstep: {e}", file=sys.stderr)
        return 2
    return 0
