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
n=$(python3 - "$src" "$site" <<'PY'
import csv, glob, os, shutil, sys, hashlib, base64
src, site = sys.argv[1], sys.argv[2]
n = 0
for rec in sorted(glob.glob(os.path.join(src, "*.dist-info", "RECORD"))):
    for row in csv.reader(open(rec, newline="")):
        if not row or row[0].startswith(".."):
            continue
        s, d = os.path.join(src, row[0]), os.path.join(site, row[0])
        if os.path.isfile(s):
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copy2(s, d)
    n += 1
for i in range(n + 1, 301):
    body = b"x = %d\n" % i
    os.makedirs(os.path.join(site, "bench_pkg%d" % i))
    open(os.path.join(site, "bench_pkg%d" % i, "__init__.py"), "wb").write(body)
    info = os.path.join(site, "bench_pkg%d-1.0.dist-info" % i)
    os.makedirs(info)
    open(os.path.join(info, "METADATA"), "w").write("Metadata-Version: 2.1\nName: bench_pkg%d\nVersion: 1.0\n\n" % i)
    h = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
    open(os.path.join(info, "RECORD"), "w").write("bench_pkg%d/__init__.py,sha256=%s,%d\nbench_pkg%d-1.0.dist-info/RECORD,,\n" % (i, h, len(body), i))
print(n)
PY
)
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
