"""python3 -m lockstep and lockstep.main(): hand commands to the binary, checking its release."""

import stat

import lockstep

from conftest import EXAMPLE, run_py


def version_script(tmp_path, version):
    """An executable that answers --version like the lockstep binary, and echoes other arguments."""
    p = tmp_path / "lockstep"
    p.write_text(f"#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'lockstep version {version}'; exit 0; fi\necho \"args: $*\"\n")
    p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return p


def test_a_release_binary_of_another_release_is_refused(tmp_path):
    exe = version_script(tmp_path, "v9.9.9")
    r = run_py(["-m", "lockstep", "runs"], cwd=tmp_path, env={"LOCKSTEP_BIN": str(exe)})
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"lockstep: {exe} is lockstep v9.9.9 but the Python package is {lockstep.__version__}: "
        "install the package from the same release (pip install python/ from its source)"
    )


def test_commands_pass_through_to_a_matching_or_development_binary(tmp_path):
    for version in ("v" + lockstep.__version__, "dev", "v0.0.0-20261207130159-6d48c11501fd"):
        exe = version_script(tmp_path, version)
        r = run_py(["-m", "lockstep", "show", "last"], cwd=tmp_path, env={"LOCKSTEP_BIN": str(exe)})
        assert (r.returncode, r.stdout) == (0, "args: show last\n"), r.stderr


def test_flow_file_run_runs_lockstep_run_on_itself(tmp_path):
    exe = version_script(tmp_path, "dev")
    r = run_py(["churn_flow.py", "run", "--seed", "7"], cwd=EXAMPLE, env={"LOCKSTEP_BIN": str(exe)})
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"args: run {EXAMPLE / 'churn_flow.py'} --seed 7\n"


def test_missing_binary_is_a_clear_error(tmp_path):
    env = {"LOCKSTEP_BIN": "", "PATH": str(tmp_path)}
    r = run_py(["-m", "lockstep", "runs"], cwd=tmp_path, env=env)
    assert r.returncode == 2
    assert "the lockstep binary is not on PATH: install it (README, Install) or set LOCKSTEP_BIN" in r.stderr


def test_usage():
    r = run_py(["-m", "lockstep"], cwd=EXAMPLE)
    assert r.returncode == 2 and "flow-json FILE.py" in r.stdout
    r = run_py(["churn_flow.py"], cwd=EXAMPLE)
    assert r.returncode == 2 and "usage: python churn_flow.py run" in r.stdout
