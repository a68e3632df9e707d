#!/usr/bin/env bash
# Create .venv (if missing) and install simplezarr with the given extras: "test" (default:
# the test suite, its linters and the zarr-python peer), "bench", "base" (simplezarr and its
# four dependencies only, which is all the demo needs), or any extra of pyproject.toml.
# Idempotent: a second run only re-checks a stamp.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-test}"
python3 -m venv .venv 2>/dev/null || [ -x .venv/bin/python ]
# The stamp covers the native extension's sources too: pip install -e builds
# simplezarr/_native*.so in place, and only a new install rebuilds it after they change.
stamp=".venv/.installed-$extras-$(cat pyproject.toml setup.py simplezarr/_native.c | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  if [ "$extras" = "base" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
  else
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
  fi
  touch "$stamp"
fi
