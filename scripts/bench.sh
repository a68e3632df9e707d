#!/usr/bin/env bash
# Set up (if needed) and run the benchmark suite: simplezarr against zarr-python, zarrs-python
# and tensorstore (the "bench" extra). Options go to bench.run: --quick, --smoke, --only,
# --ops, --datasets, --data-dir (default $SIMPLEZARR_BENCH_DIR or /tmp/simplezarr-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh bench
exec .venv/bin/python -m bench.run "$@"
