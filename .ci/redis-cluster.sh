#!/usr/bin/env bash
# A throwaway 3-master Redis Cluster of local redis-server processes, for the integration tests on
# machines with no container engine (where a container engine answers, the tests start their own
# cluster in a container and need none of this).
#
#   .ci/redis-cluster.sh start    starts 127.0.0.1:7000-7002, joins them, waits for cluster_state:ok,
#                                 and prints `export NITRICWS_REDIS_CLUSTER_URL=...`:
#                                 eval "$(.ci/redis-cluster.sh start)"
#   .ci/redis-cluster.sh stop     stops exactly the processes that start recorded
#   .ci/redis-cluster.sh status   says whether the recorded cluster runs and is ok
#
# NITRICWS_REDIS_CLUSTER_PORTS="7000 7001 7002" picks other ports. Nothing is kept on disk beyond
# the state folder (node files, logs, pid files), which start clears. Progress goes to stderr.

set -Eeuo pipefail

read -r -a PORTS <<<"${NITRICWS_REDIS_CLUSTER_PORTS:-7000 7001 7002}"
readonly PORTS
readonly STATE="${TMPDIR:-/tmp}/nitric-ws-redis-cluster-$(id -u)"
readonly HOST=127.0.0.1

log() { printf 'redis-cluster: %s\n' "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}
trap 'rc=$?; log "FAILED at line $LINENO (exit $rc)"; exit $rc' ERR

cluster_url() {
  local url="redis://" sep=""
  for port in "${PORTS[@]}"; do
    url+="$sep$HOST:$port"
    sep=","
  done
  printf '%s\n' "$url"
}

# The PID recorded for a port, if that process is still our cluster node (guards against reuse).
node_pid() {
  local port="$1" file="$STATE/$1/redis.pid" pid
  [[ -s "$file" ]] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE "redis-server .*:$port \[cluster\]" || return 1
  printf '%s\n' "$pid"
}

answers() { redis-cli -h "$HOST" -p "$1" ping 2>/dev/null | grep -q PONG; }

cluster_ok() {
  local port info
  for port in "${PORTS[@]}"; do
    info=$(redis-cli -h "$HOST" -p "$port" cluster info 2>/dev/null) || return 1
    grep -q '^cluster_state:ok' <<<"$info" || return 1
    grep -q "^cluster_known_nodes:${#PORTS[@]}" <<<"$info" || return 1
  done
}

recorded_running() {
  local port
  for port in "${PORTS[@]}"; do
    node_pid "$port" >/dev/null || return 1
  done
}

cmd_stop() {
  local port pid left=()
  for port in "${PORTS[@]}"; do
    if pid=$(node_pid "$port"); then
      kill "$pid" 2>/dev/null || true
      left+=("$pid:$port")
    fi
  done
  for entry in "${left[@]}"; do
    pid=${entry%%:*}
    port=${entry#*:}
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "node $port (pid $pid) did not stop on SIGTERM; sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "stopped node $HOST:$port (pid $pid)"
  done
  [[ ${#left[@]} -gt 0 ]] || log "no recorded node runs; nothing to stop"
  rm -rf "$STATE"
}

cmd_start() {
  command -v redis-server >/dev/null || fail "redis-server is not installed"
  command -v redis-cli >/dev/null || fail "redis-cli is not installed"
  if recorded_running && cluster_ok; then
    log "cluster on ${PORTS[*]} already runs and is ok"
    printf 'export NITRICWS_REDIS_CLUSTER_URL=%q\n' "$(cluster_url)"
    return
  fi
  cmd_stop
  local port
  for port in "${PORTS[@]}"; do
    if answers "$port" || (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null; then
      fail "port $port is taken by a process this script did not start; stop it or set NITRICWS_REDIS_CLUSTER_PORTS"
    fi
  done
  for port in "${PORTS[@]}"; do
    mkdir -p "$STATE/$port"
    redis-server --port "$port" --bind "$HOST" --protected-mode yes \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
      --dir "$STATE/$port" --save "" --appendonly no \
      --daemonize yes --pidfile "$STATE/$port/redis.pid" --logfile "$STATE/$port/redis.log"
  done
  for port in "${PORTS[@]}"; do
    for _ in $(seq 100); do
      answers "$port" && break
      sleep 0.1
    done
    answers "$port" || fail "node $port did not answer within 10s (log: $STATE/$port/redis.log)"
  done
  local nodes=()
  for port in "${PORTS[@]}"; do
    nodes+=("$HOST:$port")
  done
  if ! redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$STATE/create.log" 2>&1; then
    tail -n 20 "$STATE/create.log" >&2
    cmd_stop
    fail "redis-cli --cluster create failed"
  fi
  for _ in $(seq 300); do
    cluster_ok && break
    sleep 0.1
  done
  if ! cluster_ok; then
    cmd_stop
    fail "the cluster did not reach cluster_state:ok within 30s"
  fi
  log "cluster ok on ${nodes[*]} (state: $STATE)"
  printf 'export NITRICWS_REDIS_CLUSTER_URL=%q\n' "$(cluster_url)"
}

cmd_status() {
  if recorded_running && cluster_ok; then
    log "cluster on ${PORTS[*]} runs and is ok"
  else
    log "no healthy recorded cluster on ${PORTS[*]}"
    return 1
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
