#!/usr/bin/env bash
# The test suite against the lowest versions of simplezarr's dependencies that
# pyproject.toml declares (its ">=" floors), in .venv-min: proves the floors are true.
# Peers and optional extras (zarr-python, fsspec, obstore) are left out: their tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."
floors=$(python3 - <<'PY'
import re, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
print(" ".join(re.sub(r">=", "==", d.split(";")[0].strip()) for d in deps))
PY
)
venv=.venv-min
python3 -m venv "$venv" 2>/dev/null || [ -x "$venv/bin/python" ]
stamp="$venv/.installed-$(echo "$floors" | sha1sum | cut -c1-12)-$(cat pyproject.toml setup.py simplezarr/_native.c | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  # shellcheck disable=SC2086 - one requirement per word
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $floors \
    "pytest>=8" "pytest-xdist>=3.5" "hypothesis>=6.100"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi
echo "floors: $floors"
exec "$venv/bin/python" -m pytest -n auto -q -m "not slow" -p no:cacheprovider tests
