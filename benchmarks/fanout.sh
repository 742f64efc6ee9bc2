#!/usr/bin/env bash
# The fan-out benchmarks, end to end: a load driver in a process of its own (Node, the `ws`
# package, benchmarks/fanout/driver) opens N websocket connections and measures the connect rate,
# the latency of a broadcast from one client's message until the LAST client has it (p50 and p99
# over ROUNDS rounds), and failures (connects refused or failed, messages missing after a
# timeout), for each N and each variant below, one variant at a time; then the heap and RSS an
# idle connection costs. Writes benchmarks/results/fanout-<UTC time>/ and, from it,
# docs/benchmarks.md with its charts (docs/benchmarks/*.svg).
#
# Variants (VARIANTS, comma-separated; default: all of them, in this order):
#   floor              local-runtime's websocket gateway alone writing each frame to every
#                      connection: no gRPC, no app (benchmarks' FanoutFloor)
#   seed               the official Nitric Node SDK seed chat (it-tests/src/test/node/chat-app,
#                      @nitric/sdk 1.2.2: one `await socket.send` per key) on the standalone runtime jar
#   seed-parallel      the same app with its sends in Promise.all (benchmarks/fanout/seed-parallel)
#   embedded-STORE     nitric-ws's chat, runtime in-process: java -jar bootstrap/target/nitric-ws.jar --store=STORE
#   separate-STORE     nitric-ws's chat as a process of its own (SERVICE_ADDRESS) on the standalone runtime jar
#                      STORE: memory, redis, postgres, nitric
#   idle-memory        heap after GC and RSS of the embedded chat (memory store) before and after
#                      MEMORY_N idle connections: KB per connection
#
# Settings (environment):
#   N                  "1000 5000 10000 19000"   connection counts (spaces or commas)
#   ROUNDS             20        measured broadcast rounds per run (after WARMUP more)
#   WARMUP             auto      warm-up rounds (auto: enough for 100,000 sends, at least 3: 100 rounds at
#                                N=1,000, 10 at 10,000; the JIT compiles the send path within them)
#   ROUND_TIMEOUT_MS   auto      a round ends after this long at most (auto: 60 s, or 20 ms per
#                                connection when more); a client without its message then is missing
#   QUIET_MS           10000     ... or once no client has received the message for this long
#   GAP_MS             100       pause between rounds
#   MEMORY_N           10000     idle connections for idle-memory
#   MAX_CONNECTIONS    19000     the cap given to the floor, the runtime jar and bin/chat (--max-connections);
#                                the embedded runtime keeps its own default (16,000)
#   PROFILE            0         1: a JFR recording of the app process during the broadcasts at
#                                PROFILE_N (embedded-* and separate-*), its hottest frames in the report
#   PROFILE_N          10000
#   PROFILE_BEFORE     (unset)   a results folder of an earlier PROFILE=1 run: the report shows its
#                                profiles beside this run's (before and after a change)
#   RESUME             (unset)   a results folder of an earlier run: runs missing from it are run
#                                into it, the others kept (so a partial run can be completed)
#   BUILD              auto      auto: build the jars that are missing; yes: always; no: never
#   REPORT             1         0: do not write docs/benchmarks.md at the end
#   NITRICWS_REDIS_URL, NITRICWS_POSTGRES_URL: the servers (as stores.sh and the integration tests)
# `bash benchmarks/fanout.sh report [RESULTS_DIR]` only writes the report (from the newest results).
#
# Redis and PostgreSQL are started as .ci/run starts them when they do not answer; never stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ALL_VARIANTS="floor,seed,seed-parallel,embedded-memory,embedded-redis,embedded-postgres,embedded-nitric,separate-memory,separate-redis,separate-postgres,separate-nitric,idle-memory"
VARIANTS=${VARIANTS:-$ALL_VARIANTS}
N=${N:-1000 5000 10000 19000}
ROUNDS=${ROUNDS:-20}
WARMUP=${WARMUP:-auto}
ROUND_TIMEOUT_MS=${ROUND_TIMEOUT_MS:-auto}
QUIET_MS=${QUIET_MS:-10000}
GAP_MS=${GAP_MS:-100}
MEMORY_N=${MEMORY_N:-10000}
MAX_CONNECTIONS=${MAX_CONNECTIONS:-19000}
PROFILE=${PROFILE:-0}
PROFILE_N=${PROFILE_N:-10000}
BUILD=${BUILD:-auto}
REPORT=${REPORT:-1}
export NITRICWS_REDIS_URL=${NITRICWS_REDIS_URL:-redis://127.0.0.1:6379}
export NITRICWS_POSTGRES_URL=${NITRICWS_POSTGRES_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
PG_URI=${NITRICWS_POSTGRES_URL#jdbc:}

APP_JAR=bootstrap/target/nitric-ws.jar
RUNTIME_JAR=local-runtime/target/nitric-ws-local-runtime-0.1.0-SNAPSHOT-all.jar
BENCH_JAR=benchmarks/target/benchmarks.jar
DRIVER_DIR=benchmarks/fanout/driver
SEED_DIR=it-tests/src/test/node/chat-app
SEED_PARALLEL_DIR=benchmarks/fanout/seed-parallel
REPORT_JS=benchmarks/fanout/report.js

if [[ ${1:-} == report ]]; then
  dir=${2:-$(ls -d benchmarks/results/fanout-* 2>/dev/null | sort | tail -n 1)}
  [[ -n $dir ]] || { echo "fanout: no benchmarks/results/fanout-* to report on" >&2; exit 1; }
  exec node "$REPORT_JS" report "$dir"
fi

N=${N//,/ }
IFS=, read -r -a variants <<<"$VARIANTS"
for v in "${variants[@]}"; do
  [[ ",$ALL_VARIANTS," == *",$v,"* ]] || { echo "fanout: unknown variant '$v'; known: $ALL_VARIANTS" >&2; exit 2; }
done
[[ $ROUND_TIMEOUT_MS == auto ]] || timeout_check=$ROUND_TIMEOUT_MS
[[ $WARMUP == auto || $WARMUP =~ ^[0-9]+$ ]] || { echo "fanout: WARMUP must be auto or a whole number; got '$WARMUP'" >&2; exit 2; }
for n in $N $MEMORY_N $PROFILE_N ${timeout_check:-} $QUIET_MS $ROUNDS $MAX_CONNECTIONS; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "fanout: N, MEMORY_N, PROFILE_N, ROUND_TIMEOUT_MS, QUIET_MS, ROUNDS and MAX_CONNECTIONS must be positive whole numbers; got '$n'" >&2; exit 2; }
done
has_variant() { [[ ",$VARIANTS," == *",$1,"* ]]; }
uses_store() { [[ ",$VARIANTS," == *"-$1,"* ]]; }

if [[ -n ${RESUME:-} ]]; then
  out=$(realpath --relative-to="$ROOT" "$RESUME")
  [[ -d $out/runs ]] || { echo "fanout: RESUME=$out is not a results folder of this suite (no runs/)" >&2; exit 2; }
  stamp=${out##*/fanout-}
else
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  out=benchmarks/results/fanout-$stamp
fi
mkdir -p "$out/runs" "$out/logs" "$out/profiles"
say() { printf '[fanout %s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$out/logs/fanout.log" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
rand() { od -An -N4 -tx1 /dev/urandom | tr -d ' \n'; }
started=$(date +%s)

# ------------------------------------------------------------------------------------ set-up

# each connection is an open file on both sides: raise the soft limit to the hard one
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
files=$(ulimit -n)
largest=$(printf '%s\n' $N | sort -n | tail -n 1)
((MEMORY_N > largest)) && largest=$MEMORY_N
if [[ $files != unlimited ]] && ((files < largest + 500)); then
  say "WARNING: the open-file limit is $files; $largest connections need about $((largest + 500)) per process"
fi

need_build=no
for jar in $APP_JAR $RUNTIME_JAR $BENCH_JAR; do [[ -f $jar ]] || need_build=yes; done
if [[ $BUILD == yes || ($BUILD == auto && $need_build == yes) ]]; then
  say "building the app, runtime and benchmarks jars"
  mvn -B -ntp -q -pl bootstrap,local-runtime,benchmarks -am package -DskipTests
fi
npm_ci() { # dir marker
  if [[ ! -e $1/node_modules/$2 ]]; then
    say "npm ci in $1"
    (cd "$1" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { say "npm ci in $1 failed"; exit 1; }
  fi
}
npm_ci "$DRIVER_DIR" ws
if has_variant seed || has_variant seed-parallel; then
  npm_ci "$SEED_DIR" @nitric/sdk
  npm_ci "$SEED_PARALLEL_DIR" @nitric/sdk
fi

if uses_store redis && ! redis-cli -u "$NITRICWS_REDIS_URL" ping >/dev/null 2>&1; then
  say "starting Redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
if uses_store postgres && ! pg_isready -d "$PG_URI" -q 2>/dev/null; then
  say "starting PostgreSQL on 127.0.0.1:5432"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
for _ in $(seq 1 50); do
  { ! uses_store redis || redis-cli -u "$NITRICWS_REDIS_URL" ping >/dev/null 2>&1; } &&
    { ! uses_store postgres || pg_isready -d "$PG_URI" -q; } && break
  sleep 0.2
done

# this run's own names in the shared servers, removed at the end
TAG=$(rand)
SOCKET=fanout-$TAG
PG_SCHEMA=nwsfanout_$TAG

pids=()
stop_pid() { # pid seconds: SIGTERM, then SIGKILL after that long
  local pid=$1 wait=${2:-30} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  say "process $pid did not stop within ${wait} s of SIGTERM: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}" 5; done
  if uses_store redis; then
    redis-cli -u "$NITRICWS_REDIS_URL" --scan --pattern "nws:{$SOCKET*" 2>/dev/null |
      xargs -r -n 500 redis-cli -u "$NITRICWS_REDIS_URL" UNLINK >/dev/null 2>&1 || true
  fi
  if uses_store postgres; then
    psql "$PG_URI" -qAtc "DROP SCHEMA IF EXISTS \"$PG_SCHEMA\" CASCADE" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# ------------------------------------------------------------------------------------ the machine

{
  FANOUT_SETTINGS=$(printf '{"stamp":"%s","N":"%s","ROUNDS":%s,"WARMUP":"%s","ROUND_TIMEOUT_MS":"%s","QUIET_MS":%s,"GAP_MS":%s,"MEMORY_N":%s,"MAX_CONNECTIONS":%s,"PROFILE":"%s","PROFILE_N":%s,"VARIANTS":"%s","openFiles":"%s"}' \
    "$stamp" "$N" "$ROUNDS" "$WARMUP" "$ROUND_TIMEOUT_MS" "$QUIET_MS" "$GAP_MS" "$MEMORY_N" "$MAX_CONNECTIONS" "$PROFILE" "$PROFILE_N" "$VARIANTS" "$files") \
    node "$REPORT_JS" machine "$out/machine.json"
}
say "results in $out (variants: $VARIANTS; N: $N; load average $(loadavg))"

# ------------------------------------------------------------------------------------ processes

# start NAME LOG [VAR=value...] -- command...: runs it in the background; sets PID
start() {
  local name=$1 log=$2 envs=()
  shift 2
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  echo "\$ ${envs[*]:+${envs[*]} }$*" >"$log"
  env "${envs[@]}" "$@" >>"$log" 2>&1 &
  PID=$!
  pids+=("$PID")
  RUN_PIDS+=("$PID")
  COMMANDS+=("$name: ${envs[*]:+${envs[*]} }$*")
}

# await_line LOG REGEX SECONDS PID: prints the first match; fails when the process ends first
await_line() {
  local log=$1 regex=$2 seconds=$3 pid=$4 i match
  for ((i = 0; i < seconds * 5; i++)); do
    match=$(grep -m 1 -oE "$regex" "$log" 2>/dev/null || true)
    [[ -n $match ]] && { echo "$match"; return 0; }
    kill -0 "$pid" 2>/dev/null || { say "$(basename "$log"): the process ended before '$regex'"; return 1; }
    sleep 0.2
  done
  say "$(basename "$log"): no '$regex' within $seconds s"
  return 1
}

driver() { node "$DRIVER_DIR/driver.js" "$@"; }

probe() { # url log
  driver --url "$1" --probe --probe-timeout-ms 120000 >>"$2" 2>&1
}

# start_runtime LOGBASE: the standalone runtime jar on free ports; sets RUNTIME_PID, SERVICE_ADDRESS
start_runtime() {
  start runtime "$1-runtime.log" -- java -jar "$RUNTIME_JAR" --grpc-port 0 --ws-port 0 --max-connections "$MAX_CONNECTIONS"
  RUNTIME_PID=$PID
  SERVICE_ADDRESS=$(await_line "$1-runtime.log" 'SERVICE_ADDRESS=[0-9.:]+' 60 "$RUNTIME_PID") || return 1
  SERVICE_ADDRESS=${SERVICE_ADDRESS#SERVICE_ADDRESS=}
}

store_flags() { # store
  case $1 in
    memory | nitric) STORE_FLAGS=(--store="$1") ;;
    redis) STORE_FLAGS=(--store=redis --redis-url="$NITRICWS_REDIS_URL") ;;
    postgres) STORE_FLAGS=(--store=postgres --postgres-url="$NITRICWS_POSTGRES_URL" --postgres-schema="$PG_SCHEMA") ;;
  esac
}

# start_variant VARIANT LOGBASE: starts its processes (RUN_PIDS); sets URL and APP_PID (the
# process to profile, or empty)
start_variant() {
  local v=$1 base=$2 socket_line
  URL="" APP_PID="" RUN_PIDS=()
  case $v in
    floor)
      start floor "$base-floor.log" -- java -cp "$BENCH_JAR" dev.nitricws.bench.FanoutFloor --ws-port 0 --max-connections "$MAX_CONNECTIONS"
      URL=$(await_line "$base-floor.log" 'ws://127\.0\.0\.1:[0-9]+' 60 "$PID") || return 1
      ;;
    seed | seed-parallel)
      start_runtime "$base" || return 1
      local dir=$SEED_DIR
      [[ $v == seed-parallel ]] && dir=$SEED_PARALLEL_DIR
      start app "$base-app.log" SERVICE_ADDRESS="$SERVICE_ADDRESS" NITRIC_ENVIRONMENT=run -- node "$dir/index.js"
      socket_line=$(await_line "$base-runtime.log" "Websocket 'chat' listening on ws://[0-9.:]+" 60 "$PID") || return 1
      URL=${socket_line##* on }
      ;;
    embedded-*)
      store_flags "${v#embedded-}"
      start app "$base-app.log" -- java -jar "$APP_JAR" "${STORE_FLAGS[@]}" --socket="$SOCKET" --ws-port=0 \
        --max-connections="$MAX_CONNECTIONS"
      APP_PID=$PID
      URL=$(await_line "$base-app.log" 'ws://127\.0\.0\.1:[0-9]+' 120 "$PID") || return 1
      ;;
    separate-*)
      store_flags "${v#separate-}"
      start_runtime "$base" || return 1
      start app "$base-app.log" -- java -jar "$APP_JAR" "${STORE_FLAGS[@]}" --socket="$SOCKET" --service-address="$SERVICE_ADDRESS"
      APP_PID=$PID
      socket_line=$(await_line "$base-runtime.log" "Websocket '$SOCKET' listening on ws://[0-9.:]+" 120 "$PID") || return 1
      URL=${socket_line##* on }
      ;;
  esac
  URL=${URL%/}/
  probe "$URL" "$base-driver.log" || return 1
}

stop_variant() { # the app before the runtime: the other way round from their start
  local i
  for ((i = ${#RUN_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${RUN_PIDS[i]}" 60; done
}

record() { # json-out variant n status [driver-json]
  node "$REPORT_JS" record "$1" --variant "$2" --n "$3" --status "$4" ${5:+--driver "$5"} \
    --load-before "$LOAD_BEFORE" --load-after "$(loadavg)" --started "$STARTED_UTC" \
    --seconds $(($(date +%s) - STARTED_AT)) --commands "$(printf '%s\n' "${COMMANDS[@]}")"
}

# ------------------------------------------------------------------------------------ one run

fanout_run() { # variant n
  local v=$1 n=$2 id="$1-n$2" base status=ok gate="" profiling=no
  local json=$out/runs/$id.json
  base=$out/logs/$id
  COMMANDS=() LOAD_BEFORE=$(loadavg) STARTED_UTC=$(date -u +%Y-%m-%dT%H:%M:%SZ) STARTED_AT=$(date +%s)
  say "$id: starting (load average $LOAD_BEFORE)"
  if ! start_variant "$v" "$base"; then
    say "$id: did not start; see $base-*.log"
    stop_variant
    record "$json" "$v" "$n" "did not start"
    return 0
  fi
  if [[ $PROFILE == 1 && $n == "$PROFILE_N" && -n $APP_PID ]]; then
    profiling=yes
    gate=$out/profiles/$id.gate
    rm -f "$gate"
  fi
  local timeout=$ROUND_TIMEOUT_MS
  if [[ $timeout == auto ]]; then
    timeout=$((n * 20))
    ((timeout < 60000)) && timeout=60000
  fi
  local warmup=$WARMUP
  if [[ $warmup == auto ]]; then
    warmup=$(((100000 + n - 1) / n))
    ((warmup < 3)) && warmup=3
  fi
  local args=(--url "$URL" --n "$n" --rounds "$ROUNDS" --warmup "$warmup" --round-timeout-ms "$timeout"
    --quiet-ms "$QUIET_MS" --gap-ms "$GAP_MS" --label "$id" --out "$base-driver.json")
  [[ $profiling == yes ]] && args+=(--gate "$gate")
  COMMANDS+=("driver: node $DRIVER_DIR/driver.js ${args[*]}")
  driver "${args[@]}" >>"$base-driver.log" 2>&1 &
  local driver_pid=$!
  pids+=("$driver_pid")
  if [[ $profiling == yes ]]; then
    if await_line "$base-driver.log" 'gate: waiting' $((timeout / 1000 * (warmup + 1) + 600)) "$driver_pid" >/dev/null; then
      jcmd "$APP_PID" JFR.start name=fanout settings=profile filename="$out/profiles/$id.jfr" >>"$base-jfr.log" 2>&1 || true
      touch "$gate"
    fi
  fi
  wait "$driver_pid" || status="driver failed ($?)"
  if [[ $profiling == yes ]]; then
    jcmd "$APP_PID" JFR.stop name=fanout >>"$base-jfr.log" 2>&1 || true
    rm -f "$gate"
    [[ -f $out/profiles/$id.jfr ]] && node "$REPORT_JS" hot "$out/profiles/$id.jfr" "$out/profiles/$id.hot.json" >>"$base-jfr.log" 2>&1 || true
  fi
  tail -n 2 "$base-driver.log" | sed "s/^/    /" >&2
  stop_variant
  [[ -f $base-driver.json ]] || status="no result (driver failed)"
  record "$json" "$v" "$n" "$status" "$base-driver.json"
}

heap_used_kib() { # pid: heap used after a full GC, KiB
  jcmd "$1" GC.run >/dev/null 2>&1
  jcmd "$1" GC.run >/dev/null 2>&1
  jcmd "$1" GC.heap_info 2>/dev/null | grep -m 1 -oE 'used [0-9]+K' | grep -oE '[0-9]+'
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

memory_run() { # n
  local n=$1 id="idle-memory-n$1" base status=ok
  local json=$out/runs/$id.json
  base=$out/logs/$id
  COMMANDS=() LOAD_BEFORE=$(loadavg) STARTED_UTC=$(date -u +%Y-%m-%dT%H:%M:%SZ) STARTED_AT=$(date +%s)
  say "$id: starting (load average $LOAD_BEFORE)"
  if ! start_variant embedded-memory "$base"; then
    say "$id: did not start; see $base-*.log"
    stop_variant
    record "$json" idle-memory "$n" "did not start"
    return 0
  fi
  local heap0 rss0 heap1 rss1
  heap0=$(heap_used_kib "$APP_PID")
  rss0=$(rss_kib "$APP_PID")
  jcmd "$APP_PID" GC.class_histogram >"$out/profiles/$id.before.histo" 2>/dev/null || true
  COMMANDS+=("driver: node $DRIVER_DIR/driver.js --url $URL --n $n --hold --out $base-driver.json")
  driver --url "$URL" --n "$n" --hold --label "$id" --out "$base-driver.json" >>"$base-driver.log" 2>&1 &
  local driver_pid=$!
  pids+=("$driver_pid")
  if await_line "$base-driver.log" '^holding' 600 "$driver_pid" >/dev/null; then
    sleep 3 # let the last connects' work finish before measuring
    heap1=$(heap_used_kib "$APP_PID")
    rss1=$(rss_kib "$APP_PID")
    # what the heap holds per connection, by class (report.js compares the two)
    jcmd "$APP_PID" GC.class_histogram >"$out/profiles/$id.after.histo" 2>/dev/null || true
  else
    status="driver failed"
  fi
  stop_pid "$driver_pid" 60
  tail -n 1 "$base-driver.log" | sed "s/^/    /" >&2
  stop_variant
  node "$REPORT_JS" record "$json" --variant idle-memory --n "$n" --status "$status" --driver "$base-driver.json" \
    --memory "${heap0:-},${heap1:-},${rss0:-},${rss1:-}" \
    --load-before "$LOAD_BEFORE" --load-after "$(loadavg)" --started "$STARTED_UTC" \
    --seconds $(($(date +%s) - STARTED_AT)) --commands "$(printf '%s\n' "${COMMANDS[@]}")"
  say "$id: heap ${heap0:-?} -> ${heap1:-?} KiB, RSS ${rss0:-?} -> ${rss1:-?} KiB for $n connections"
}

# ------------------------------------------------------------------------------------ the run

for n in $N; do
  for v in "${variants[@]}"; do
    [[ $v == idle-memory ]] && continue
    if [[ -f $out/runs/$v-n$n.json ]]; then
      say "$v-n$n: kept from before"
      continue
    fi
    fanout_run "$v" "$n"
  done
done
if has_variant idle-memory; then
  if [[ -f $out/runs/idle-memory-n$MEMORY_N.json ]]; then
    say "idle-memory-n$MEMORY_N: kept from before"
  else
    memory_run "$MEMORY_N"
  fi
fi

echo "$(loadavg)" >"$out/load-after.txt"
say "runs done in $(($(date +%s) - started)) s"
if [[ $REPORT == 1 ]]; then
  node "$REPORT_JS" report "$out"
fi
say "done: $out"
