#!/usr/bin/env bash
# Set up (if needed) and run the benchmark suite: simplezarr (its API, and zarr-python with its
# codec pipeline) against zarr-python (default and fused pipelines), zarrs-python and
# tensorstore. By default on Python 3.12 with the newest peers (.venv312, the "bench34" extra:
# zarr-python 3.4.2); --py311 runs the oldest supported setup instead (.venv, the "bench"
# extra: Python 3.11, zarr-python 3.1.6, which has no fused pipeline). Other options go to
# bench.run: --quick, --smoke, --only, --ops, --datasets, --data-dir (default
# $SIMPLEZARR_BENCH_DIR or /tmp/simplezarr-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--py311" ]; then
  shift
  bash scripts/setup.sh bench
  exec .venv/bin/python -m bench.run "$@"
fi
bash scripts/setup312.sh bench34
exec .venv312/bin/python -m bench.run "$@"
