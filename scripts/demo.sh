#!/usr/bin/env bash
# Build lockstep and run the iris demo end to end on the embedded default
# (a .lockstep folder with the object store and a SQLite catalog).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing bubblewrap (the sandbox steps run in)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  fi
fi
sandbox=()
if ! command -v bwrap >/dev/null 2>&1; then
  echo "bubblewrap is not installed: running the demo unconfined (--sandbox none)."
  sandbox=(--sandbox none)
fi
command -v python3 >/dev/null || { echo "The demo needs python3 (standard library only)." >&2; exit 1; }

make build
lockstep="$PWD/bin/lockstep"
cd examples/iris
"$lockstep" init
"$lockstep" run "${sandbox[@]}"
"$lockstep" runs
"$lockstep" show last
"$lockstep" check
echo
echo "Run it again: every step is now a cache hit."
"$lockstep" run "${sandbox[@]}"
