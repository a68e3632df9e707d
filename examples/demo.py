"""simplezarr demo: write a sharded Zarr v3 array and a Zarr v2 array to a local store,
read them back (basic, orthogonal and point selections, through the core API and the
zarr-python-compatible one), check them, and print the hierarchy with timings.

Run: bash scripts/demo.sh  [directory]   (default: ./demo_data, replaced on each run)
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import numpy as np

import simplezarr as zarr
from simplezarr.nodes import ZarrGroup, open_zarr
from simplezarr.stores import LocalStore


def timed(label: str, fn):
    t0 = time.perf_counter()
    result = fn()
    print(f"  {label:<50} {1e3 * (time.perf_counter() - t0):8.1f} ms")
    return result


def main() -> None:
    root_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "demo_data") / "example.zarr"
    shutil.rmtree(root_dir, ignore_errors=True)
    rng = np.random.default_rng(0)
    z, y, x = np.meshgrid(*(np.linspace(0, 4, 256),) * 3, indexing="ij")
    field = (1000 * (np.sin(x) + np.cos(y) * np.sin(z) + 2)).astype(np.uint16)
    data = field + rng.integers(0, 16, field.shape, dtype=np.uint16)
    mb = data.nbytes / 1e6
    print(f"simplezarr demo: {data.shape} {data.dtype} ({mb:.0f} MB) in {root_dir}")

    store = LocalStore(root_dir)
    root = ZarrGroup.create(store, attributes={"description": "simplezarr demo"})
    v3 = root.create_array(
        "v3_sharded",
        shape=data.shape,
        dtype=data.dtype,
        chunks=(32, 32, 32),
        shards=(128, 128, 128),
        dimension_names=["z", "y", "x"],
    )
    timed("write v3 sharded (zstd, 128^3 shards of 32^3)", lambda: v3.__setitem__(..., data))
    v2_group = ZarrGroup.create(store, "v2", zarr_format=2)
    v2 = v2_group.create_array(
        "blosc",
        shape=data.shape,
        dtype=data.dtype,
        chunks=(64, 64, 64),
        compressors={"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
    )
    timed("write v2 (blosc lz4, 64^3 chunks)", lambda: v2.__setitem__(..., data))

    reopened = open_zarr(LocalStore(root_dir, read_only=True))
    a3, a2 = reopened["v3_sharded"], reopened["v2/blosc"]
    whole3 = timed("read v3 whole array", lambda: a3[...])
    whole2 = timed("read v2 whole array", lambda: a2[...])
    plane = timed("read v3 plane a[128, :, :]", lambda: a3[128, :, :])
    box = timed("read v3 box a[10:20, 30:40, ::-7]", lambda: a3[10:20, 30:40, ::-7])
    inner = timed("read v3 one inner chunk get_chunk((3, 2, 1))", lambda: a3.get_chunk((3, 2, 1)))
    # The same data through zarr-python's API, as `import simplezarr as zarr` users write it.
    za = zarr.open_array(str(root_dir), path="v3_sharded", mode="r")
    zs, ys, xs = (rng.integers(0, 256, 10_000) for _ in range(3))
    points = timed("read 10,000 random points a.vindex[zs, ys, xs]", lambda: za.vindex[zs, ys, xs])
    rows, cols = [3, 200, 17, 90], [250, 5, 5, 128]
    orth = timed("read a.oindex[rows, :, cols] (4 x 256 x 4)", lambda: za.oindex[rows, :, cols])
    ok = (
        np.array_equal(points, data[zs, ys, xs])
        and np.array_equal(orth, data[np.ix_(rows, range(256), cols)])
        and np.array_equal(whole3, data)
        and np.array_equal(whole2, data)
        and np.array_equal(plane, data[128])
        and np.array_equal(box, data[10:20, 30:40, ::-7])
        and np.array_equal(inner, data[96:128, 64:96, 32:64])
    )
    print(f"  every read matches the source: {ok}")
    stored = sum(p.stat().st_size for p in root_dir.rglob("*") if p.is_file())
    print(f"  stored {stored / 1e6:.1f} MB for {2 * mb:.0f} MB of data\n")
    print(reopened.tree(), end="")
    if not ok:
        raise SystemExit("demo failed: data read back differs from what was written")


if __name__ == "__main__":
    main()
