#!/usr/bin/env bash
# zarr-python's own test suite as the codec pipeline's conformance test.
#
# Downloads the zarr 3.4.2 sdist (its tests/ ship there), then runs the given test paths
# (default: the CI subset below) twice in .venv312: with zarr-python's default pipeline
# and with ZARR_CODEC_PIPELINE__PATH=simplezarr.ZarrCodecPipeline. Prints both summaries
# and the tests that fail only with simplezarr's pipeline (the number that must be 0).
#
#   bash scripts/zarr_suite.sh                  # the CI subset
#   bash scripts/zarr_suite.sh tests            # the whole suite (about 10 min per pipeline)
#   ZARR_SUITE_ONLY=simplezarr bash scripts/zarr_suite.sh ...   # skip the default run
#   ZARR_SUITE_CHECK=1 ...     # exit 1 on a failure not in scripts/zarr_suite_known.txt (CI)
# Environment: ZARR_SUITE_DIR (default /tmp/zarr-suite), ZARR_SUITE_WORKERS (pytest -n, 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup312.sh
root="$PWD"
dir="${ZARR_SUITE_DIR:-/tmp/zarr-suite}"
version=3.4.2
mkdir -p "$dir"
if [ ! -d "$dir/zarr-$version/tests" ]; then
  .venv312/bin/python -m pip download --quiet --disable-pip-version-check \
    --no-binary :all: --no-deps "zarr==$version" -d "$dir"
  tar -xzf "$dir/zarr-$version.tar.gz" -C "$dir"
fi
if [ "$#" -eq 0 ]; then
  set -- tests/test_array.py tests/test_indexing.py tests/test_codecs tests/test_v2.py
fi
workers="${ZARR_SUITE_WORKERS:-2}"
run() {  # run NAME [env...]: pytest in the sdist, results in $dir/NAME.{log,failed}
  local name="$1"; shift
  (cd "$dir/zarr-$version" && env "$@" "$root/.venv312/bin/python" -m pytest -q -n "$workers" \
      -p no:cacheprovider -o addopts="" -W ignore --tb=line -rfE "${tests[@]}" \
      > "$dir/$name.log" 2>&1) || true
  grep -E '^(FAILED|ERROR) ' "$dir/$name.log" | sed -E 's/^(FAILED|ERROR) //; s/ - .*//' | sort -u \
    > "$dir/$name.failed" || true
  echo "$name: $(tail -n 1 "$dir/$name.log")"
}
tests=("$@")
if [ "${ZARR_SUITE_ONLY:-}" != "simplezarr" ]; then
  run default ZARR_CODEC_PIPELINE__PATH=zarr.core.codec_pipeline.BatchedCodecPipeline
fi
run simplezarr ZARR_CODEC_PIPELINE__PATH=simplezarr.ZarrCodecPipeline
touch "$dir/default.failed"
extra="$(comm -13 "$dir/default.failed" "$dir/simplezarr.failed")"
echo "failing only with simplezarr.ZarrCodecPipeline: $(printf '%s' "$extra" | grep -c . || true)"
printf '%s\n' "$extra" | sed '/^$/d' | head -n 200
known="$(grep -v '^#' scripts/zarr_suite_known.txt | sed '/^$/d' | sort -u)"
unexpected="$(comm -23 <(printf '%s\n' "$extra" | sed '/^$/d' | sort -u) <(printf '%s\n' "$known"))"
echo "of those, not in scripts/zarr_suite_known.txt: $(printf '%s' "$unexpected" | grep -c . || true)"
printf '%s\n' "$unexpected" | sed '/^$/d'
if [ "${ZARR_SUITE_CHECK:-}" = "1" ]; then
  if ! grep -qE ' (passed|failed)' <(tail -n 1 "$dir/simplezarr.log"); then
    echo "the simplezarr run did not complete"; exit 1
  fi
  [ -z "$unexpected" ] || exit 1
fi
