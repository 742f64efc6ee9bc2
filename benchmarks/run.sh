#!/usr/bin/env bash
# Every benchmark of nitric-ws in one command: with --stores (or WITH_STORES=1) first the store
# benchmarks (stores.sh: JMH beside redis-benchmark and pgbench, about 20 minutes), then the
# fan-out suite (fanout.sh, which writes docs/benchmarks.md and its charts from its results and
# the newest store results). Each script's own settings (environment) pass through; see their
# headers. Not part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

with_stores=${WITH_STORES:-0}
for arg in "$@"; do
  case $arg in
    --stores) with_stores=1 ;;
    -h | --help)
      sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
      echo "usage: bash benchmarks/run.sh [--stores]"
      exit 0
      ;;
    *) echo "run.sh: unknown argument '$arg' (known: --stores, --help)" >&2; exit 2 ;;
  esac
done

if [[ $with_stores == 1 ]]; then
  bash benchmarks/stores.sh
fi
bash benchmarks/fanout.sh
