#!/usr/bin/env bash
# Set up (if needed) and run the demo: write a sharded v3 array and a v2 array, read them back.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
exec .venv/bin/python examples/demo.py "$@"
