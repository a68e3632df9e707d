#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite on all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
exec .venv/bin/python -m pytest -n auto -q "$@"
