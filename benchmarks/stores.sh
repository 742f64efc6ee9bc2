#!/usr/bin/env bash
# The store benchmarks: every connection registry under JMH (register, unregister, find, scan of
# 10,000) at 1 and 32 callers, and beside the Redis and Postgres registries the server's own tool
# (redis-benchmark, pgbench) running the commands that registry sends for the same operation, in
# the same run. Writes benchmarks/results/stores-<UTC time>/ with results.csv and summary.md (the
# ratios registry/tool), the raw JMH JSON, the tools' own output and the scripts they ran.
#
# Each tool measurement is taken just before and just after the registry's, so that a machine
# whose load changes meanwhile shows up as spread between the two rather than as a wrong ratio.
#
# Settings (environment):
#   NITRICWS_REDIS_URL     redis://127.0.0.1:6379
#   NITRICWS_POSTGRES_URL  jdbc:postgresql://127.0.0.1:5432/test?user=postgres (libpq reads it
#                          without the jdbc: prefix, so keep to parameters both understand)
#   STORES                 "memory redis postgres nitric"
#   OPS                    "register unregister find scan"
#   CALLERS                "1 32"          JMH threads; redis-benchmark -c; pgbench -c
#   JMH_OPTS               "-f 1 -wi 3 -w 2s -i 3 -r 2s"
#   PG_SECONDS             4               pgbench -T for each measurement
#   PG_SKIP                1               seconds of each pgbench run left out of its rate (-P 1 reports)
#   REDIS_REQUESTS         30000           redis-benchmark -n for register and find
#   REDIS_UNREGISTER       20000           redis-benchmark -n for unregister (10 times as many are registered first)
#   REDIS_PAGE_REQUESTS    200             redis-benchmark -n for each page command of a scan
#   PG_UNREGISTER_STOCK    60000           rows registered for pgbench's unregister, shared by its clients
#   BUILD                  auto            auto: build the jar when it is missing; yes: always; no: never
#   PROFILE                0               1: after the measurements, a short JMH run of each Redis and
#                                          Postgres operation with a JFR recording (profiles/), its
#                                          CPU split and hottest libraries in docs/benchmarks.md;
#                                          only: those runs alone, into RESULTS (an earlier run's folder)
# The servers are started as .ci/run starts them when they do not answer; they are never stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

STORES=${STORES:-memory redis postgres nitric}
OPS=${OPS:-register unregister find scan}
CALLERS=${CALLERS:-1 32}
JMH_OPTS=${JMH_OPTS:--f 1 -wi 3 -w 2s -i 3 -r 2s}
PG_SECONDS=${PG_SECONDS:-4}
PG_SKIP=${PG_SKIP:-1}
REDIS_REQUESTS=${REDIS_REQUESTS:-30000}
REDIS_UNREGISTER=${REDIS_UNREGISTER:-20000}
REDIS_PAGE_REQUESTS=${REDIS_PAGE_REQUESTS:-200}
PG_UNREGISTER_STOCK=${PG_UNREGISTER_STOCK:-60000}
BUILD=${BUILD:-auto}
PROFILE=${PROFILE:-0}
export NITRICWS_REDIS_URL=${NITRICWS_REDIS_URL:-redis://127.0.0.1:6379}
export NITRICWS_POSTGRES_URL=${NITRICWS_POSTGRES_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
PG_URI=${NITRICWS_POSTGRES_URL#jdbc:}

# what every benchmark connection holds (Fixtures.java), as the Postgres registry writes it
ATTRIBUTES_JSON='{"user":"bench-user"}'
QUERY_JSON='[["room",["lobby"]]]'
SCAN_SIZE=10000
PAGE_SIZE=500

JAR=benchmarks/target/benchmarks.jar
started=$(date +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=benchmarks/results/stores-$stamp
if [[ $PROFILE == only ]]; then
  [[ -f ${RESULTS:-}/summary.md ]] || { echo "stores: PROFILE=only needs RESULTS=<a stores results folder>" >&2; exit 2; }
  out=${RESULTS%/}
fi
mkdir -p "$out/jmh" "$out/logs" "$out/pgbench"
say() { printf '[stores %s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$out/logs/stores.log" >&2; }
tool() { java -cp "$JAR" dev.nitricws.bench.StoreTool "$@"; }
has() { [[ " $1 " == *" $2 "* ]]; }
rand() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }

# ------------------------------------------------------------------------------------ set-up

if [[ $BUILD == yes || ($BUILD == auto && ! -f $JAR) ]]; then
  say "building $JAR"
  mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi

if has "$STORES" redis && ! redis-cli -u "$NITRICWS_REDIS_URL" ping >/dev/null 2>&1; then
  say "starting Redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
if has "$STORES" postgres && ! pg_isready -d "$PG_URI" -q 2>/dev/null; then
  say "starting PostgreSQL on 127.0.0.1:5432"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
for _ in $(seq 1 50); do
  { ! has "$STORES" redis || redis-cli -u "$NITRICWS_REDIS_URL" ping >/dev/null 2>&1; } &&
    { ! has "$STORES" postgres || pg_isready -d "$PG_URI" -q; } && break
  sleep 0.2
done

# Postgres: one schema for this run, made by the registry's own migrations, dropped at the end
export NITRICWS_BENCH_PG_SCHEMA=nwsbench_$(rand)
TABLE="\"$NITRICWS_BENCH_PG_SCHEMA\".connections"
redis_sockets=()
cleanup() {
  if ((${#redis_sockets[@]})); then
    for s in "${redis_sockets[@]}"; do
      redis-cli -u "$NITRICWS_REDIS_URL" UNLINK "nws:{$s}:exp" "nws:{$s}:ids" "nws:{$s}:data" >/dev/null 2>&1 || true
    done
  fi
  if has "$STORES" postgres; then
    psql "$PG_URI" -qAtc "DROP SCHEMA IF EXISTS \"$NITRICWS_BENCH_PG_SCHEMA\" CASCADE" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [[ $PROFILE != only ]]; then
  {
    echo "# Store benchmarks, $stamp"
    echo
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- $(java -version 2>&1 | head -n 1); $(redis-server --version | cut -d' ' -f1-3); $(psql --version)"
    echo "- JMH: $JMH_OPTS; callers: $CALLERS; scan: $SCAN_SIZE ids, pages of $PAGE_SIZE"
    echo "- redis-benchmark -n: $REDIS_REQUESTS (register, find), $REDIS_UNREGISTER (unregister), $REDIS_PAGE_REQUESTS per page command (scan); pgbench -M prepared -T $PG_SECONDS, rate of the seconds after the first $PG_SKIP"
  } >"$out/run.md"
  echo "tool,op,callers,run,ops_per_s,detail" >"$out/tools.csv"
fi

# ------------------------------------------------------------------------------------ JMH

declare -A CLASS=([register]=RegisterBenchmark [unregister]=UnregisterBenchmark [find]=FindBenchmark [scan]=ScanBenchmark)

jmh() { # op store callers
  local op=$1 store=$2 c=$3 file="$out/jmh/$1-$2-t$3.json"
  say "JMH $op on $store, $c caller(s)"
  # shellcheck disable=SC2086
  java -jar "$JAR" "dev.nitricws.bench.${CLASS[$op]}" -p store="$store" -t "$c" $JMH_OPTS \
    -rf json -rff "$file" >"$out/logs/jmh-$op-$store-t$c.log" 2>&1 ||
    { say "JMH $op on $store failed: see logs/jmh-$op-$store-t$c.log"; return 0; }
  grep -E "^(Register|Unregister|Find|Scan)Benchmark" "$out/logs/jmh-$op-$store-t$c.log" | sed 's/^/    /' >&2 || true
}

# ------------------------------------------------------------------------------------ redis-benchmark

REDIS_COMMANDS=$out/redis-commands.txt
redis_count() { awk -F'\t' -v op="$1" '$1 == op' "$REDIS_COMMANDS" | wc -l; }
redis_command() { # op index socket: WORDS becomes the words of the op's index-th command (from 1)
  local line
  line=$(awk -v op="$1" -v i="$2" 'BEGIN {FS = "\t"} $1 == op && ++n == i {sub(/^[^\t]*\t/, ""); print; exit}' "$REDIS_COMMANDS")
  eval "WORDS=($line)"
  WORDS=("${WORDS[@]//@SOCKET@/$3}")
}

rb_rps() { # redis-benchmark args...: its requests per second
  redis-benchmark -u "$NITRICWS_REDIS_URL" --csv "$@" 2>>"$out/logs/redis-benchmark.log" |
    tee -a "$out/logs/redis-benchmark.log" | awk -F'","' 'NR > 1 && NF > 1 {print $2}' | tail -n 1
}

redis_card() { redis-cli -u "$NITRICWS_REDIS_URL" ZCARD "nws:{$1}:ids"; }

redis_tool() { # op callers run
  local op=$1 c=$2 run=$3 socket rps detail=""
  case $op in
    register)
      socket=bench-tool-$(rand); redis_sockets+=("$socket")
      redis_command register 1 "$socket"
      rps=$(rb_rps -c "$c" -n "$REDIS_REQUESTS" -r 1000000000 "${WORDS[@]}")
      redis-cli -u "$NITRICWS_REDIS_URL" UNLINK "nws:{$socket}:exp" "nws:{$socket}:ids" "nws:{$socket}:data" >/dev/null
      ;;
    unregister)
      socket=bench-tool-$(rand); redis_sockets+=("$socket")
      local stock=$((REDIS_UNREGISTER * 10)) before after
      tool fill redis "$socket" 0 "$stock"
      before=$(redis_card "$socket")
      redis_command unregister 1 "$socket"
      rps=$(rb_rps -c "$c" -n "$REDIS_UNREGISTER" -r "$stock" "${WORDS[@]}")
      after=$(redis_card "$socket")
      detail="hits $(awk -v h=$((before - after)) -v n="$REDIS_UNREGISTER" 'BEGIN {printf "%.0f%%", 100 * h / n}')"
      redis-cli -u "$NITRICWS_REDIS_URL" UNLINK "nws:{$socket}:exp" "nws:{$socket}:ids" "nws:{$socket}:data" >/dev/null
      ;;
    find)
      redis_command find 1 "$REDIS_FILLED"
      rps=$(rb_rps -c "$c" -n "$REDIS_REQUESTS" -r "$SCAN_SIZE" "${WORDS[@]}")
      ;;
    scan)
      # one scan is the registry's sequence of page commands: its time is the sum of theirs
      local total=0 pages i r
      pages=$(redis_count scan)
      for ((i = 1; i <= pages; i++)); do
        redis_command scan "$i" "$REDIS_FILLED"
        r=$(rb_rps -c "$c" -n "$REDIS_PAGE_REQUESTS" "${WORDS[@]}")
        total=$(awk -v t="$total" -v r="$r" 'BEGIN {printf "%.9f", t + 1 / r}')
      done
      rps=$(awk -v t="$total" 'BEGIN {printf "%.2f", 1 / t}')
      detail="$pages page commands"
      ;;
  esac
  echo "redis-benchmark,$op,$c,$run,$rps,$detail" >>"$out/tools.csv"
  say "  redis-benchmark $op -c $c ($run): $rps ops/s${detail:+ ($detail)}"
}

# ------------------------------------------------------------------------------------ pgbench

PG_BASE=100000000000 # pgbench's ids are numbers of 12 digits from here, so no padding is needed

write_pgbench_scripts() {
  local cols="socket, connection_id, attributes, query, connected_at, expires_at"
  cat >"$out/pgbench/register.sql" <<EOF
-- PostgresConnectionRegistry.register: the upsert of a new connection
\set k random($PG_BASE, 999999999999)
INSERT INTO $TABLE ($cols) VALUES (:socket, :k, CAST(:attributes AS jsonb), CAST(:query AS jsonb), :connected, :expires) ON CONFLICT (socket, connection_id) DO UPDATE SET attributes = EXCLUDED.attributes, query = EXCLUDED.query, connected_at = EXCLUDED.connected_at, expires_at = EXCLUDED.expires_at;
EOF
  cat >"$out/pgbench/unregister.sql" <<EOF
-- PostgresConnectionRegistry.unregister of a registered connection: each client deletes the rows of its own range in turn
\set k $PG_BASE + :client_id * 100000000 + :n
DELETE FROM $TABLE WHERE socket = :socket AND connection_id = :k RETURNING expires_at > :now;
\set n :n + 1
EOF
  cat >"$out/pgbench/find.sql" <<EOF
-- PostgresConnectionRegistry.find of a registered connection
\set k random($PG_BASE, $((PG_BASE + SCAN_SIZE - 1)))
SELECT attributes, query, connected_at, expires_at FROM $TABLE WHERE socket = :socket AND connection_id = :k AND expires_at > :now;
EOF
  {
    echo "-- PostgresConnectionRegistry.scan of $SCAN_SIZE ids, pages of $PAGE_SIZE: the registry's keyset page query, page after page, until a short page"
    local p
    for ((p = 0; p <= SCAN_SIZE / PAGE_SIZE; p++)); do
      # the first page starts after '' (pgbench's -D cannot define an empty value)
      echo "SELECT connection_id FROM $TABLE WHERE socket = :socket AND connection_id > $( ((p == 0)) && echo "''" || echo ":after$p") AND expires_at > :now ORDER BY connection_id LIMIT :pagesize;"
    done
  } >"$out/pgbench/scan.sql"
}

pg_vars() {
  local now connected expires p
  now=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  connected=$now
  expires=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%S.%3NZ)
  PG_VARS=(-D "attributes=$ATTRIBUTES_JSON" -D "query=$QUERY_JSON" -D "connected=$connected" -D "expires=$expires"
    -D "now=$now" -D "pagesize=$PAGE_SIZE" -D n=0)
  for ((p = 1; p <= SCAN_SIZE / PAGE_SIZE; p++)); do
    PG_VARS+=(-D "after$p=$((PG_BASE + p * PAGE_SIZE - 1))")
  done
}

psql_q() { psql "$PG_URI" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

pg_fill_range() { # socket first count [clients]: rows as the registry writes them, ids first.. for each client's range
  local socket=$1 first=$2 count=$3 clients=${4:-1}
  psql_q "INSERT INTO $TABLE (socket, connection_id, attributes, query, connected_at, expires_at)
    SELECT '$socket', ($first + c::bigint * 100000000 + n)::text, CAST('$ATTRIBUTES_JSON' AS jsonb), CAST('$QUERY_JSON' AS jsonb),
      now(), now() + interval '2 hours'
    FROM generate_series(0, $clients - 1) AS c, generate_series(0, $count - 1) AS n" >/dev/null
}

pgbench_tool() { # op callers run
  local op=$1 c=$2 run=$3 socket log tps detail="" j=$(($2 < 2 ? $2 : 2))
  log="$out/logs/pgbench-$op-c$c-$run.log"
  case $op in
    register | unregister) socket=bench-tool-$(rand) ;;
    *) socket=$PG_FILLED ;;
  esac
  local stock=$(((PG_UNREGISTER_STOCK + c - 1) / c))
  [[ $op == unregister ]] && pg_fill_range "$socket" "$PG_BASE" "$stock" "$c"
  pg_vars
  pgbench -n -M prepared -f "$out/pgbench/$op.sql" -c "$c" -j "$j" -T "$PG_SECONDS" -P 1 -D "socket=$socket" "${PG_VARS[@]}" \
    "$PG_URI" >"$log" 2>&1 || { say "pgbench $op failed: see $log"; return 0; }
  # the rate after the first PG_SKIP seconds, as JMH measures after its warm-up: each of pgbench's
  # connections is a new server process whose caches and plans are cold for its first transactions
  tps=$(awk -v skip="$PG_SKIP" '/^progress: / && $2 + 0 > skip {sum += $4; n++} END {if (n) printf "%.1f", sum / n}' "$log")
  [[ -n $tps ]] || tps=$(awk '/^tps = / {print $3}' "$log" | tail -n 1)
  detail="all $(awk '/^tps = / {printf "%.0f", $3}' "$log")"
  if [[ $op == unregister ]]; then
    local processed left
    processed=$(awk -F'[:/ ]+' '/number of transactions actually processed/ {print $6}' "$log")
    left=$(psql_q "SELECT count(*) FROM $TABLE WHERE socket = '$socket'")
    detail="$detail; hits $(awk -v h=$((stock * c - left)) -v n="$processed" 'BEGIN {printf "%.0f%%", 100 * h / n}')"
  fi
  [[ $op == register || $op == unregister ]] && psql_q "DELETE FROM $TABLE WHERE socket = '$socket'" >/dev/null
  echo "pgbench,$op,$c,$run,$tps,$detail" >>"$out/tools.csv"
  say "  pgbench $op -c $c ($run): $tps ops/s${detail:+ ($detail)}"
}

# ------------------------------------------------------------------------------------ the run

if [[ $PROFILE == only ]]; then
  STORES_MEASURED=""
else
  STORES_MEASURED=$STORES
fi
if has "$STORES_MEASURED" redis; then
  say "capturing the commands the Redis registry sends"
  tool redis-commands "$REDIS_COMMANDS"
  REDIS_FILLED=bench-tool-$(rand); redis_sockets+=("$REDIS_FILLED")
  tool fill redis "$REDIS_FILLED" 0 "$SCAN_SIZE"
fi
if has "$STORES_MEASURED" postgres; then
  say "schema $NITRICWS_BENCH_PG_SCHEMA: migrations by the registry, pgbench scripts in $out/pgbench"
  PG_FILLED=bench-tool-$(rand)
  tool fill postgres "$PG_FILLED" 0 0
  pg_fill_range "$PG_FILLED" "$PG_BASE" "$SCAN_SIZE"
  write_pgbench_scripts
fi

for store in $STORES_MEASURED; do
  for op in $OPS; do
    for c in $CALLERS; do
      case $store in
        redis) redis_tool "$op" "$c" before; jmh "$op" "$store" "$c"; redis_tool "$op" "$c" after ;;
        postgres) pgbench_tool "$op" "$c" before; jmh "$op" "$store" "$c"; pgbench_tool "$op" "$c" after ;;
        *) jmh "$op" "$store" "$c" ;;
      esac
    done
  done
done

if [[ $PROFILE == 1 || $PROFILE == only ]]; then
  mkdir -p "$out/profiles"
  for store in redis postgres; do
    has "$STORES" "$store" || continue
    for op in $OPS; do
      for c in $CALLERS; do
        id=$op-$store-t$c
        say "JMH $op on $store, $c caller(s), with JFR"
        java -jar "$JAR" "dev.nitricws.bench.${CLASS[$op]}" -p store="$store" -t "$c" -f 1 -wi 1 -w 2s -i 1 -r 5s \
          -prof "jfr:dir=$out/profiles/$id" >"$out/logs/jmh-$id-jfr.log" 2>&1 ||
          { say "JMH $op on $store with JFR failed: see logs/jmh-$id-jfr.log"; continue; }
        recording=$(find "$out/profiles/$id" -name '*.jfr' | head -n 1)
        [[ -n $recording ]] && node benchmarks/fanout/report.js hot "$recording" "$out/profiles/$id.hot.json" \
          >>"$out/logs/jmh-$id-jfr.log" 2>&1 || say "no JFR summary for $id: see logs/jmh-$id-jfr.log"
      done
    done
  done
fi

[[ $PROFILE == only ]] && { say "profiles done in $(( $(date +%s) - started )) s: $out/profiles"; exit 0; }
echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); took $(( $(date +%s) - started )) s" >>"$out/run.md"
tool report "$out"
say "done in $(( $(date +%s) - started )) s: $out/summary.md"
cat "$out/summary.md"
