#!/usr/bin/env bash
# Gives Testcontainers a Docker-compatible engine on machines that have none, and the Dockerfile
# local base images to build on.
#
#   .ci/container-engine.sh start   prints `export ...` lines: eval "$(.ci/container-engine.sh start)"
#   .ci/container-engine.sh images  builds the images only (no service) and prints the exports that
#                                   the podman command line needs to build and run with them
#   .ci/container-engine.sh stop    stops the podman service that `start` recorded
#
# Where a Docker engine already answers, `start` and `images` print nothing to export and `stop`
# does nothing. Otherwise it runs podman's Docker API with images built from Debian's archive (no
# registry is needed). Progress goes to stderr, only the exports to stdout. See .ci/README.md.

# Sourced (`. .ci/container-engine.sh start`): run as a child, so that this file's shell options
# and exits stay out of the caller, and bring its exports into the caller's shell.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  __container_engine_env=$(bash "${BASH_SOURCE[0]}" "$@") || return
  eval "$__container_engine_env"
  unset __container_engine_env
  return 0
fi

set -Eeuo pipefail

readonly STATE="${XDG_CACHE_HOME:-${HOME:-$(cd ~ && pwd)}/.cache}/nitric-ws/podman"
readonly SOCK="$STATE/podman.sock"
readonly PIDFILE="$STATE/service.pid"
readonly REDIS_IMAGE=localhost/redis-local:7
readonly POSTGRES_IMAGE=localhost/postgres-local:15
readonly ROOTFS_IMAGE=localhost/nitricws-rootfs:bookworm
readonly JRE_IMAGE=localhost/nitricws-jre:17
readonly JDK_IMAGE=localhost/nitricws-jdk-maven:17
readonly SOURCES=/etc/apt/sources.list.d/debian.sources

export CONTAINERS_CONF="$STATE/containers.conf"
export CONTAINERS_STORAGE_CONF="$STATE/storage.conf"

log() { printf 'container-engine: %s\n' "$*" >&2; }

step="(none)"
step_started=0
# Names the step that failed; every failure below is reported through this trap.
trap 'rc=$?; log "FAILED at step \"$step\" (exit $rc)"; exit $rc' ERR

begin() {
  step="$1"
  step_started=$(date +%s%N)
  log "$step ..."
}
done_step() {
  local ms=$((($(date +%s%N) - step_started) / 1000000))
  log "$step: done in $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s"
}
fail() {
  log "FAILED at step \"$step\": $*"
  exit 1
}
# Runs a noisy command with its output in a log file, shown only when it fails.
quietly() {
  local logfile="$1"
  shift
  if ! "$@" >"$logfile" 2>&1; then
    tail -n 30 "$logfile" >&2
    fail "$* (full log: $logfile)"
  fi
}

ping_socket() { curl -sf --max-time 5 --unix-socket "$1" http://d/_ping >/dev/null 2>&1; }

existing_docker_answers() {
  # Our own service, left in the environment by an earlier start, is not an existing engine.
  [[ "${DOCKER_HOST:-}" == "unix://$SOCK" ]] && return 1
  if command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; then
    return 0
  fi
  case "${DOCKER_HOST:-}" in
    unix://*) ping_socket "${DOCKER_HOST#unix://}" ;;
    tcp://*) curl -sf --max-time 5 "http://${DOCKER_HOST#tcp://}/_ping" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

# The PID recorded by start, if that process is still our podman service (guards against reuse).
recorded_service_pid() {
  [[ -s "$PIDFILE" ]] || return 1
  local pid
  pid=$(<"$PIDFILE")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "system service --time=0 unix://$SOCK" || return 1
  printf '%s\n' "$pid"
}

# conmon processes of this state folder's containers. Those of `exec` sessions (execInContainer)
# outlive their container by up to 5 minutes (conmon --exit-delay 300).
our_conmon_pids() {
  local f pid cmd
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    cmd=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
    if [[ "$cmd" == /usr/bin/conmon\ * && "$cmd" == *" -b $STATE/storage/"* ]]; then
      printf '%s\n' "$pid"
    fi
  done
}

stop_service() {
  local pid
  if pid=$(recorded_service_pid); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "podman service $pid did not stop on SIGTERM; sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "stopped podman service (pid $pid)"
  fi
  rm -f "$PIDFILE" "$SOCK"
  local left
  for _ in $(seq 25); do
    left=$(our_conmon_pids)
    [[ -z "$left" ]] && return
    # shellcheck disable=SC2086 # one PID a word
    kill $left 2>/dev/null || true
    sleep 0.2
  done
  log "conmon processes still running: $left"
}

install_packages() {
  begin "install podman, runc, debootstrap"
  if command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null; then
    log "already installed"
  else
    [[ $(id -u) == 0 ]] || fail "podman, runc or debootstrap is missing and installing them needs root"
    quietly "$STATE/apt-update.log" apt-get update
    quietly "$STATE/apt.log" env DEBIAN_FRONTEND=noninteractive apt-get install -y podman runc debootstrap
  fi
  done_step
}

write_config() {
  begin "write podman configuration"
  local nofile
  nofile=$(ulimit -Hn)
  [[ "$nofile" == unlimited ]] && nofile=1048576
  mkdir -p "$STATE"/{storage,run,tmp,networks}
  cat >"$CONTAINERS_STORAGE_CONF" <<EOF
# Written by .ci/container-engine.sh: all podman state stays in $STATE.
[storage]
driver = "overlay"
graphroot = "$STATE/storage"
runroot = "$STATE/run"
EOF
  # crun refuses this machine's hybrid cgroup layout, and root here cannot raise its hard limits,
  # so podman's default ulimits would fail: keep nofile at the hard limit it already has.
  cat >"$CONTAINERS_CONF" <<EOF
# Written by .ci/container-engine.sh.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$STATE/events.log"
tmp_dir = "$STATE/tmp"
volume_path = "$STATE/storage/volumes"

[network]
network_config_dir = "$STATE/networks"
EOF
  # runroot and tmp_dir describe running containers; they are on disk here, so after a reboot
  # they would claim containers that no longer run. Clear them when the boot changed.
  local boot
  boot=$(cat /proc/sys/kernel/random/boot_id)
  if [[ -f "$STATE/boot_id" && "$(<"$STATE/boot_id")" != "$boot" ]]; then
    log "machine rebooted since the last start: clearing $STATE/run and $STATE/tmp"
    rm -rf "$STATE/run" "$STATE/tmp"
    mkdir -p "$STATE/run" "$STATE/tmp"
  fi
  printf '%s\n' "$boot" >"$STATE/boot_id"
  : >"$STATE/events.log"
  done_step
}

# The entrypoint of both images: for `postgres` it does what the official postgres image does for
# Testcontainers' PostgreSQLContainer; any other command (redis-server ...) is exec'ed as it is.
entrypoint_script() {
  cat <<'EOF'
#!/bin/bash
# Entrypoint written by nitric-ws .ci/container-engine.sh.
set -euo pipefail
if [ "${1:-}" != postgres ]; then
  exec "$@"
fi
shift
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown -R postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  chmod 2775 /run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" postgres "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user="${POSTGRES_USER:-postgres}"
  db="${POSTGRES_DB:-$user}"
  auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "POSTGRES_PASSWORD must be set (or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  pwfile="$(mktemp)"
  printf '%s\n' "${POSTGRES_PASSWORD:-postgres}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS holds several arguments, as in the official image
  initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-}
  rm -f "$pwfile"
  printf 'host all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  # First server: no TCP listener, only for set-up. It logs "ready to accept connections" once.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username="$user")
  if [ "$db" != postgres ]; then
    "${psql[@]}" --dbname=postgres --set db="$db" <<<'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "running $f"; . "$f" ;;
      *.sql) echo "running $f"; "${psql[@]}" --dbname="$db" -f "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "PostgreSQL init process complete; ready for start up."
fi
exec postgres -c listen_addresses='*' "$@"
EOF
}

# Identifies the image recipe; a change to the entrypoint or image settings rebuilds the images.
recipe_id() {
  { entrypoint_script; declare -f build_images; } | sha256sum | cut -c1-16
}

image_recipe() {
  podman image inspect --format '{{ index .Config.Labels "nitricws.recipe" }}' "$1" 2>/dev/null || true
}

# The Debian mirror this machine's apt uses (never a host name written into the project).
debian_mirror() {
  local mirror
  mirror=$(awk '$1 == "URIs:" { print $2; exit }' "$SOURCES" 2>/dev/null || true)
  [[ -n "$mirror" ]] || fail "no 'URIs:' line in $SOURCES to take the Debian mirror from"
  log "mirror: $mirror"
  printf '%s\n' "$mirror"
}

build_rootfs_image() {
  begin "debootstrap a bookworm rootfs with redis-server and postgresql-15"
  local mirror rootfs="$STATE/rootfs"
  mirror=$(debian_mirror)
  rm -rf "$rootfs"
  quietly "$STATE/debootstrap.log" debootstrap --variant=minbase --include=redis-server,postgresql-15 \
    bookworm "$rootfs" "$mirror"
  done_step

  begin "import the rootfs as $ROOTFS_IMAGE"
  # The cluster that the package made is not wanted: the entrypoint makes its own in PGDATA.
  rm -rf "$rootfs"/var/lib/postgresql/15 "$rootfs"/etc/postgresql/15 \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/info
  tar -C "$rootfs" --numeric-owner -c . | quietly "$STATE/import.log" podman import - "$ROOTFS_IMAGE"
  rm -rf "$rootfs"
  done_step
}

build_images() {
  local context="$STATE/build"
  rm -rf "$context"
  mkdir -p "$context"
  entrypoint_script >"$context/docker-entrypoint.sh"
  chmod 755 "$context/docker-entrypoint.sh"
  cat >"$context/Containerfile" <<EOF
FROM $ROOTFS_IMAGE
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV PGDATA=/var/lib/postgresql/data
ENV LANG=C.UTF-8
STOPSIGNAL SIGINT
EXPOSE 5432 6379
LABEL nitricws.recipe=$1
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
EOF
  quietly "$STATE/build.log" podman build --pull=never -t "$POSTGRES_IMAGE" "$context"
  quietly "$STATE/tag.log" podman tag "$POSTGRES_IMAGE" "$REDIS_IMAGE"
  rm -rf "$context"
}

ensure_images() {
  local recipe
  recipe=$(recipe_id)
  if [[ "$(image_recipe "$POSTGRES_IMAGE")" == "$recipe" && "$(image_recipe "$REDIS_IMAGE")" == "$recipe" ]]; then
    log "images $POSTGRES_IMAGE and $REDIS_IMAGE are up to date"
    return
  fi
  if ! podman image exists "$ROOTFS_IMAGE"; then
    build_rootfs_image
  fi
  begin "build $POSTGRES_IMAGE and $REDIS_IMAGE"
  build_images "$recipe"
  podman image prune -f >/dev/null 2>&1 || true
  done_step
}

# The base images of the project's Dockerfile (its RUN_IMAGE and BUILD_IMAGE build arguments), from
# one debootstrap: the rootfs with a JRE becomes the run image; the same rootfs with the JDK and
# Maven added becomes the build image.
build_java_images() {
  local recipe="$1" mirror rootfs="$STATE/rootfs-java"
  mirror=$(debian_mirror)
  begin "debootstrap a bookworm rootfs with openjdk-17-jre-headless"
  rm -rf "$rootfs"
  quietly "$STATE/debootstrap-java.log" debootstrap --variant=minbase --include=openjdk-17-jre-headless \
    bookworm "$rootfs" "$mirror"
  done_step

  begin "import it as $JRE_IMAGE"
  import_java_rootfs "$rootfs" "$JRE_IMAGE" "$recipe"
  done_step

  begin "add openjdk-17-jdk-headless and maven to it, import as $JDK_IMAGE"
  quietly "$STATE/apt-java.log" chroot "$rootfs" apt-get update
  quietly "$STATE/apt-java.log" chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven
  import_java_rootfs "$rootfs" "$JDK_IMAGE" "$recipe"
  rm -rf "$rootfs"
  done_step
}

# Imports ROOTFS as IMAGE labelled with RECIPE, less apt's caches, the docs and the machine's own
# resolv.conf and hosts (the engine provides both at run time).
import_java_rootfs() {
  tar -C "$1" --numeric-owner \
    --exclude='./var/lib/apt/lists/*' --exclude='./var/cache/apt/*' --exclude='./usr/share/doc/*' \
    --exclude='./usr/share/man/*' --exclude='./usr/share/info/*' --exclude=./etc/resolv.conf --exclude=./etc/hosts \
    -c . | quietly "$STATE/import-java.log" podman import --change 'ENV LANG=C.UTF-8' \
    --change "LABEL nitricws.recipe=$3" - "$2"
}

ensure_java_images() {
  local recipe
  recipe=$({ declare -f build_java_images import_java_rootfs; } | sha256sum | cut -c1-16)
  if [[ "$(image_recipe "$JRE_IMAGE")" == "$recipe" && "$(image_recipe "$JDK_IMAGE")" == "$recipe" ]]; then
    log "images $JRE_IMAGE and $JDK_IMAGE are up to date"
    return
  fi
  build_java_images "$recipe"
}

# What the podman command line needs to build and run with the local images (ImageBuildIT).
print_image_exports() {
  printf 'export %s=%q\n' \
    CONTAINERS_CONF "$CONTAINERS_CONF" \
    CONTAINERS_STORAGE_CONF "$CONTAINERS_STORAGE_CONF" \
    NITRICWS_BUILD_IMAGE "$JDK_IMAGE" \
    NITRICWS_RUN_IMAGE "$JRE_IMAGE"
}

start_service() {
  begin "remove leftover containers"
  stop_service
  quietly "$STATE/rm.log" podman rm -af -t 2
  done_step

  begin "start podman system service on $SOCK"
  nohup podman system service --time=0 "unix://$SOCK" >"$STATE/service.log" 2>&1 </dev/null &
  local pid=$!
  printf '%s\n' "$pid" >"$PIDFILE"
  for _ in $(seq 150); do
    ping_socket "$SOCK" && break
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$STATE/service.log" >&2
      rm -f "$PIDFILE"
      fail "podman system service exited (log: $STATE/service.log)"
    fi
    sleep 0.2
  done
  if ! ping_socket "$SOCK"; then
    stop_service
    fail "podman service did not answer on $SOCK within 30s (log: $STATE/service.log)"
  fi
  log "podman service pid $pid"
  done_step
}

cmd_start() {
  local started
  started=$(date +%s)
  if existing_docker_answers; then
    docker_answers
    return
  fi
  prepare
  start_service
  log "container engine: podman ready in $(($(date +%s) - started))s"
  printf 'export %s=%q\n' \
    DOCKER_HOST "unix://$SOCK" \
    TESTCONTAINERS_RYUK_DISABLED true \
    TESTCONTAINERS_HOST_OVERRIDE localhost \
    NITRICWS_REDIS_IMAGE "$REDIS_IMAGE" \
    NITRICWS_POSTGRES_IMAGE "$POSTGRES_IMAGE"
  print_image_exports
}

docker_answers() {
  log "a Docker engine answers; nothing to do"
  echo "container engine: docker (existing)" >&2
}

# Packages, configuration and images for podman.
prepare() {
  mkdir -p "$STATE"
  install_packages
  write_config
  ensure_images
  ensure_java_images
}

# The images and the podman configuration, without the service (nor touching one that runs).
cmd_images() {
  local started
  started=$(date +%s)
  if existing_docker_answers; then
    docker_answers
    return
  fi
  prepare
  log "images ready in $(($(date +%s) - started))s"
  print_image_exports
}

cmd_stop() {
  step="stop"
  if [[ ! -s "$PIDFILE" ]]; then
    log "no podman service recorded; nothing to stop"
    return
  fi
  if command -v podman >/dev/null && [[ -f "$CONTAINERS_CONF" ]]; then
    podman rm -af -t 2 >"$STATE/rm.log" 2>&1 || log "removing containers failed (log: $STATE/rm.log)"
  fi
  stop_service
}

case "${1:-}" in
  start) cmd_start ;;
  images) cmd_images ;;
  stop) cmd_stop ;;
  *)
    echo "usage: $0 start|images|stop" >&2
    exit 2
    ;;
esac
