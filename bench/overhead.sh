#!/usr/bin/env bash
# Per-step overhead of lockstep around a step that does nothing (`true`),
# against its floor: bare bubblewrap running `true` with the flags and
# system binds lockstep's sandbox uses (the same namespaces, /usr, the
# curated /etc, /dev, /proc, a private /tmp).
#
# Each round runs, alternately: bare bwrap STEPS times; a flow of STEPS
# independent `true` steps with -j 1 and the cache off, under bubblewrap
# and unconfined; and the same flow again with the cache on, after a
# first run filled it (every step found in the cache). The marginal cost
# of a step is measured with a second flow of 2×STEPS steps, so the
# start-up of `lockstep run` itself is not counted per step:
#   per step = (time(2×STEPS) − time(STEPS)) / STEPS.
# Medians over ROUNDS rounds; the page cache is warm (every program ran
# before the first timed round).
# Goals: ≤ 10 ms above bare bwrap per step; ≤ 5 ms per cached step.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
STEPS=${STEPS:-20}
lockstep=$(lockstep_bin)
command -v bwrap >/dev/null || { echo "bench/overhead.sh: bubblewrap (bwrap) is not installed: apt-get install bubblewrap" >&2; exit 1; }
# Each step makes and removes its task folder and objects: on a fresh
# file system where the script can make one (see bench_dir in lib.sh).
BENCH_FS_GIB=${BENCH_FS_GIB:-2}
bench_dir overhead
work=$BENCH_DIR

flowfile() { # N: a flow of N independent `true` steps
  echo "flow: overhead"
  echo "steps:"
  for i in $(seq 1 "$1"); do printf '  s%03d: {run: "true"}\n' "$i"; done
}
for n in "$STEPS" $((2 * STEPS)); do
  mkdir -p "$work/f$n"
  flowfile "$n" >"$work/f$n/lockstep.yaml"
  (cd "$work/f$n" && "$lockstep" init -q >/dev/null)
done

# The bare floor: what lockstep's sandbox asks of bwrap, without lockstep.
bwrap_args=(--die-with-parent --new-session --cap-drop ALL --unshare-pid --unshare-ipc --unshare-uts
  --hostname lockstep --unshare-cgroup-try --unshare-net --ro-bind /usr /usr --dev /dev --proc /proc
  --tmpfs /tmp --tmpfs /dev/shm)
for l in bin sbin lib lib64; do [ -L "/$l" ] && bwrap_args+=(--symlink "usr/$l" "/$l"); done
for f in alternatives ca-certificates.conf debian_version fonts gai.conf group host.conf hosts ld.so.cache \
  ld.so.conf ld.so.conf.d localtime mime.types networks nsswitch.conf os-release passwd protocols services \
  ssl/certs ssl/openssl.cnf timezone; do
  [ -e "/etc/$f" ] && bwrap_args+=(--ro-bind "/etc/$f" "/etc/$f")
done

ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns / 1e6}'; }

bare() { # ns per `true` under bare bwrap
  local t0 t1
  t0=$(now)
  for _ in $(seq 1 "$STEPS"); do bwrap "${bwrap_args[@]}" /bin/sh -c true; done
  t1=$(now)
  echo $(((t1 - t0) / STEPS))
}
timed() { # DIR ARGS...: ns for one `lockstep run`
  local dir=$1
  shift
  (cd "$dir" && time_ns "$lockstep" run -q -j 1 "$@")
}
marginal() { # ARGS...: ns per step, start-up of lockstep run excluded
  local small big
  small=$(timed "$work/f$STEPS" "$@")
  big=$(timed "$work/f$((2 * STEPS))" "$@")
  echo $(((big - small) / STEPS))
}

# Warm up: programs in the page cache, the host cache filled, the
# cache of both flows filled for the cached rounds.
bare >/dev/null
for n in "$STEPS" $((2 * STEPS)); do timed "$work/f$n" >/dev/null; done

: >"$work/bare" >"$work/bwrap" >"$work/none" >"$work/cached"
for _ in $(seq 1 "$ROUNDS"); do
  bare >>"$work/bare"
  marginal --no-cache >>"$work/bwrap"
  marginal --no-cache --sandbox none >>"$work/none"
  marginal >>"$work/cached"
done
bare_ns=$(median <"$work/bare")
bwrap_ns=$(median <"$work/bwrap")
none_ns=$(median <"$work/none")
cached_ns=$(median <"$work/cached")
over_ns=$((bwrap_ns - bare_ns))

echo "per step, median of $ROUNDS rounds of $STEPS and $((2 * STEPS)) steps (load average: $(loadavg); page cache warm; on $BENCH_FS_DESC)"
printf '%-36s %9s ms\n' "bare bwrap … sh -c true (floor)" "$(ms "$bare_ns")"
printf '%-36s %9s ms   %s ms above the floor\n' "lockstep, bubblewrap, --no-cache" "$(ms "$bwrap_ns")" "$(ms "$over_ns")"
printf '%-36s %9s ms\n' "lockstep, --sandbox none, --no-cache" "$(ms "$none_ns")"
printf '%-36s %9s ms\n' "lockstep, cached step" "$(ms "$cached_ns")"
met=no
[ "$over_ns" -le 10000000 ] && met=yes
cmet=no
[ "$cached_ns" -le 5000000 ] && cmet=yes
result "per-step overhead, true under bubblewrap" "$(ms "$bwrap_ns") ms" "$(ms "$bare_ns") ms (bare bwrap)" "+$(ms "$over_ns") ms" "≤ +10 ms" "$met"
result "cached step" "$(ms "$cached_ns") ms" "-" "-" "≤ 5 ms" "$cmet"
