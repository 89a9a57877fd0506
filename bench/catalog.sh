#!/usr/bin/env bash
# Per-step cost of a PostgreSQL catalog against the embedded SQLite one: a
# flow of STEPS independent `true` steps run with -j 1, the cache off and
# --sandbox none, RUNS times on each catalog (same local store, same
# machine); prints the median per step and the PostgreSQL/SQLite ratio.
# The PostgreSQL server is started here from Debian's postgresql-15
# binaries (initdb + pg_ctl in a temp folder, loopback only, as nobody
# when run as root), with its default durable settings (fsync on,
# synchronous_commit on). With it the store lock is the advisory lock in
# that database, as for a team. When versitygw and rclone are installed, a
# third home runs the same flow as a team does: objects in an S3 bucket
# (a local versitygw) and the catalog in PostgreSQL, against file+SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${STEPS:-20}
RUNS=${RUNS:-7}
pgbin=${LOCKSTEP_PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$pgbin/initdb" ]; then
  echo "bench/catalog.sh: no PostgreSQL binaries in $pgbin (install postgresql-15)" >&2
  exit 2
fi
make -s build
lockstep="$PWD/bin/lockstep"
work=$(mktemp -d)
chmod 755 "$work"
as=()
if [ "$(id -u)" = 0 ]; then
  as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
  mkdir "$work/pg" && chown nobody "$work/pg"
else
  mkdir "$work/pg"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
stop() {
  "${as[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  [ -n "${vgw_pid:-}" ] && kill "$vgw_pid" 2>/dev/null
  rm -rf "$work"
}
trap stop EXIT
"${as[@]}" "$pgbin/initdb" -D "$work/pg/data" -U lockstep -A trust -E UTF8 --locale C >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -o "-h 127.0.0.1 -p $port -k $work/pg" -w start >/dev/null
"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U lockstep bench
url="postgres://lockstep@127.0.0.1:$port/bench?sslmode=disable"

flow() {
  echo "flow: catalog-bench"
  echo "steps:"
  for i in $(seq 1 "$STEPS"); do printf '  s%02d: {run: "true"}\n' "$i"; done
}
mkdir "$work/sqlite" "$work/postgres"
flow >"$work/sqlite/lockstep.yaml"
flow >"$work/postgres/lockstep.yaml"
(cd "$work/sqlite" && "$lockstep" init -q >/dev/null)
(cd "$work/postgres" && "$lockstep" init -q --catalog "$url" >/dev/null)
homes=(sqlite postgres)
vgw=$(command -v versitygw || echo "$(go env GOPATH)/bin/versitygw")
if [ -x "$vgw" ] && command -v rclone >/dev/null; then
  s3port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
  mkdir "$work/gw" "$work/team"
  "$vgw" --port "127.0.0.1:$s3port" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --quiet posix "$work/gw" >"$work/gw.log" 2>&1 &
  vgw_pid=$!
  sleep 1
  # rclone 1.60 fails with AWS_CA_BUNDLE set; lockstep does not.
  env -u AWS_CA_BUNDLE RCLONE_CONFIG=/dev/null RCLONE_CONFIG_GW_TYPE=s3 RCLONE_CONFIG_GW_PROVIDER=Other RCLONE_CONFIG_GW_ENDPOINT="http://127.0.0.1:$s3port" \
    RCLONE_CONFIG_GW_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_GW_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" rclone mkdir gw:team
  "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U lockstep team
  flow >"$work/team/lockstep.yaml"
  (cd "$work/team" && "$lockstep" init -q --store "s3://team/lockstep?endpoint=http://127.0.0.1:$s3port&region=us-east-1" \
    --catalog "postgres://lockstep@127.0.0.1:$port/team?sslmode=disable" >/dev/null)
  homes+=(team)
fi

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
per_step() {
  local t0 t1
  t0=$(now); (cd "$work/$1" && "$lockstep" run -q -j 1 --no-cache --sandbox none >/dev/null); t1=$(now)
  echo $(( (t1 - t0) / STEPS ))
}
# One warm-up run each, then RUNS rounds alternating the homes.
for h in "${homes[@]}"; do per_step "$h" >/dev/null; : >"$work/$h.ns"; done
for _ in $(seq 1 "$RUNS"); do
  for h in "${homes[@]}"; do per_step "$h" >>"$work/$h.ns"; done
done
sq=$(median <"$work/sqlite.ns")
pg=$(median <"$work/postgres.ns")
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns / 1e6}'; }
printf 'lockstep run, %d steps, per step (median of %d runs)\n' "$STEPS" "$RUNS"
printf '%-34s %8s ms\n' "file store, SQLite catalog" "$(ms "$sq")" "file store, PostgreSQL catalog" "$(ms "$pg")"
awk -v a="$pg" -v b="$sq" 'BEGIN {printf "ratio PostgreSQL/SQLite  %.2f (%+.1f ms per step)\n", a / b, (a - b) / 1e6}'
if [ -f "$work/team.ns" ]; then
  tm=$(median <"$work/team.ns")
  printf '%-34s %8s ms\n' "S3 store, PostgreSQL catalog" "$(ms "$tm")"
  awk -v a="$tm" -v b="$sq" 'BEGIN {printf "ratio S3+PostgreSQL / file+SQLite  %.2f (%+.1f ms per step)\n", a / b, (a - b) / 1e6}'
fi
printf 'RESULT\t%s\t%s ms\t%s ms (file + SQLite)\t%s\t-\t-\n' "run per step, PostgreSQL catalog" "$(ms "$pg")" "$(ms "$sq")" "$(awk -v a="$pg" -v b="$sq" 'BEGIN {printf "%.2fx", a / b}')"
if [ -f "$work/team.ns" ]; then
  printf 'RESULT\t%s\t%s ms\t%s ms (file + SQLite)\t%s\t-\t-\n' "run per step, S3 store + PostgreSQL catalog" "$(ms "$tm")" "$(ms "$sq")" "$(awk -v a="$tm" -v b="$sq" 'BEGIN {printf "%.2fx", a / b}')"
fi
