"""Shared helpers of the lockstep package's tests."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "python"


def run_py(args, cwd, env=None, **kw):
    """Run this interpreter with args in cwd; return the CompletedProcess (text)."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable] + list(args), cwd=str(cwd), env=e, capture_output=True, text=True, **kw)


@pytest.fixture
def write_flow(tmp_path):
    """write_flow(source, name="my_flow") writes a flow module into a fresh folder and returns its path."""

    def write(source, name="my_flow"):
        p = tmp_path / f"{name}.py"
        p.write_text(textwrap.dedent(source))
        return p

    return write
