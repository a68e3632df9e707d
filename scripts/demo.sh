#!/usr/bin/env bash
# Set up (if needed) and run the demo: write a sharded v3 array and a v2 array, read them back.
# Installs simplezarr and its four dependencies only (no test or benchmark packages).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh base
exec .venv/bin/python examples/demo.py "$@"
