"""The simplezarr benchmark suite: simplezarr against zarr-python, zarrs-python and tensorstore.

Run it with ``bash scripts/bench.sh [--quick|--smoke]``; see ``bench/README.md``.
"""
