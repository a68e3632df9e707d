#!/usr/bin/env bash
# Set up (if needed) and run everything CI checks, in order:
#   ruff check, ruff format --check, mypy (the package), the test suite with every module's
#   docstring examples (pytest --doctest-modules, all cores, "slow" tests left out), the
#   engine, store, indexing and codec tests again without the native extension
#   (SIMPLEZARR_NATIVE=0, the pure-Python path), and the
#   same suite in a second environment holding the lowest versions pyproject.toml allows
#   (scripts/test_min_versions.sh), then on Python 3.12 with zarr-python 3.4.2 (.venv312):
#   the drop-in suite (less the differences listed in docs/api.md),
#   the codec pipeline and interoperability tests, and zarr-python 3.4.2's
#   own array, indexing, codec, sharding and v2 tests with simplezarr's codec pipeline, which
#   must fail nothing beyond scripts/zarr_suite_known.txt.
# Arguments go to the main pytest run (e.g. a test file, -k, -x).
#   bash scripts/test.sh --slow   runs only the tests marked slow (not part of CI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
py=.venv/bin/python
if [ "${1:-}" = "--slow" ]; then
  shift
  exec "$py" -m pytest -n auto -q -m slow tests "$@"
fi
paths=(simplezarr tests bench examples)
echo "== ruff check"; .venv/bin/ruff check "${paths[@]}"
echo "== ruff format --check"; .venv/bin/ruff format --check "${paths[@]}"
echo "== mypy"; .venv/bin/mypy
echo "== tests and docstring examples"
"$py" -m pytest -n auto -q -m "not slow" --doctest-modules simplezarr tests "$@"
echo "== the pure-Python path (SIMPLEZARR_NATIVE=0): engine, stores, indexing, codecs"
SIMPLEZARR_NATIVE=0 "$py" -m pytest -n auto -q -m "not slow" -p no:cacheprovider \
  tests/engine tests/stores tests/indexing tests/codecs
echo "== minimum versions"; bash scripts/test_min_versions.sh
echo "== Python 3.12, zarr-python 3.4.2: pipeline, interoperability, drop-in and API-parity tests"
bash scripts/setup312.sh
.venv312/bin/python -m pytest -n auto -q -m "not slow" -p no:cacheprovider \
  tests/pipeline tests/interop tests/dropin tests/api
echo "== zarr-python 3.4.2's own tests with simplezarr's pipeline (the CI subset)"
ZARR_SUITE_ONLY=simplezarr ZARR_SUITE_CHECK=1 bash scripts/zarr_suite.sh
