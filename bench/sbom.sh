#!/usr/bin/env bash
# SBOM and installed-file verification of an environment of 300 Python
# distributions: every pip-installed distribution of the python3 on PATH
# (real wheels with RECORD), topped up to 300 with small made-up ones,
# copied into a venv.
#
# 1. `lockstep run` of a step that starts that venv's python, cold (first
#    verification: every file hashed) and warm (the home's cache: stats only),
#    then `lockstep sbom last`.
# 2. syft over the same site-packages (CycloneDX JSON), when syft is on PATH
#    (go install github.com/anchore/syft/cmd/syft@v1.57.2).
# Goal: a warm verification under 100 ms (see also the capture tests'
# TestManyPackages and TestInstalledFilesDebian, which log it alone).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
make -s build
lockstep="$root/bin/lockstep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv --without-pip "$work/venv"
site=$(ls -d "$work"/venv/lib/python3*/site-packages)
src=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
n=0
for info in "$src"/*.dist-info; do
  [ -f "$info/RECORD" ] || continue
  cp -a "$info" "$site/"
  (cd "$src" && cut -d, -f1 "$info/RECORD" | grep -v '^\.\./' | grep -v '\.dist-info/' | while read -r f; do
    [ -e "$f" ] && mkdir -p "$site/$(dirname "$f")" && cp -a "$f" "$site/$f"; done) || true
  n=$((n + 1))
done
for i in $(seq $((n + 1)) 300); do
  d="$site/bench_pkg$i-1.0.dist-info"; mkdir -p "$d" "$site/bench_pkg$i"
  echo "x = $i" > "$site/bench_pkg$i/__init__.py"
  h=$(python3 -c "import hashlib,base64,sys; print(base64.urlsafe_b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).rstrip(b'=').decode())" "$site/bench_pkg$i/__init__.py")
  printf 'Metadata-Version: 2.1\nName: bench_pkg%s\nVersion: 1.0\n\n' "$i" > "$d/METADATA"
  printf 'bench_pkg%s/__init__.py,sha256=%s,%s\nbench_pkg%s-1.0.dist-info/RECORD,,\n' "$i" "$h" "$(stat -c %s "$site/bench_pkg$i/__init__.py")" "$i" > "$d/RECORD"
done
files=$(find "$site" -type f | wc -l)
echo "environment: $(ls -d "$site"/*.dist-info | wc -l) distributions ($n real), $files files"
mkdir "$work/p" && cd "$work/p"
export PATH="$work/venv/bin:$PATH" NO_COLOR=1
printf 'flow: sbom-bench\nsteps:\n  a:\n    run: python3 -c pass\n    sandbox: none\n' > lockstep.yaml
"$lockstep" init >/dev/null 2>&1 || true
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
echo "lockstep run, cold verification: $(ms "$lockstep" run --no-cache) ms"
echo "lockstep run, warm verification: $(ms "$lockstep" run --no-cache) ms"
echo "lockstep run, no python step:    $(cd "$work" && mkdir q && cd q && printf 'flow: b\nsteps:\n  a:\n    run: true\n    sandbox: none\n' > lockstep.yaml && "$lockstep" init >/dev/null 2>&1; ms "$lockstep" run --no-cache) ms"
echo "lockstep sbom last:              $(ms "$lockstep" sbom last) ms ($("$lockstep" sbom last | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["components"]))') components)"
if command -v syft >/dev/null; then
  echo "syft dir:site-packages:          $(ms syft scan "dir:$site" -o cyclonedx-json -q) ms ($(syft scan "dir:$site" -o cyclonedx-json -q | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["components"]))') components)"
else
  echo "syft: not on PATH (go install github.com/anchore/syft/cmd/syft@v1.57.2)"
fi
