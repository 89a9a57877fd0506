#!/usr/bin/env bash
# The Python package's tests (python/tests): make a virtual environment in a
# temp folder that sees Debian's packages (numpy, scikit-learn, pytest), pip
# install python/ into it without network (--no-build-isolation: Debian's
# setuptools builds it), and run pytest there. The end-to-end tests use
# $LOCKSTEP_BIN (make test sets it), else a lockstep on PATH, else bin/lockstep.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-}"
if [ -z "$python" ]; then
  # Debian's interpreter, where apt installs numpy and friends; not a pyenv shim's.
  if [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; else python=python3; fi
fi
for mod in venv pytest setuptools; do
  if ! "$python" -c "import $mod" 2>/dev/null; then
    echo "python-test: $python lacks the module $mod: install python3-venv, python3-pytest and python3-setuptools (scripts/test-deps.sh does, as root)" >&2
    exit 1
  fi
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$python" -m venv --system-site-packages "$tmp/venv"
# Build from a copy, so the source tree gets no build/ or egg-info folders.
mkdir "$tmp/src"
cp -r python/pyproject.toml python/lockstep "$tmp/src/"
"$tmp/venv/bin/python" -m pip install --quiet --no-build-isolation --no-index --disable-pip-version-check "$tmp/src"
PYTHONDONTWRITEBYTECODE=1 "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider python/tests "$@"
