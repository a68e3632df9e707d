#!/usr/bin/env bash
# Create .venv312 (if missing): Python 3.12 with simplezarr and zarr-python 3.4.2, the newest
# zarr-python (it needs Python >= 3.12), for the codec pipeline's tests and the zarr suite
# (scripts/zarr_suite.sh). An argument names other extras to install as well, comma-separated
# (scripts/bench.sh: bench34). Idempotent: a second run only re-checks a stamp.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv312/bin/python ]; then
  PYENV_VERSION="${PYENV_VERSION:-3.12.1}" python3.12 -m venv .venv312
fi
extras="zarr34${1:+,$1}"
stamp=".venv312/.installed-${extras//,/-}-$(cat pyproject.toml setup.py simplezarr/_native.c | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  .venv312/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv312/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
  touch "$stamp"
fi
