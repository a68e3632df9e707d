"""zarr-python 3.4's cast_value codec under simplezarr's pipeline: the chunks are encoded
and decoded by simplezarr's CastValue (cast-value-rs only casts the fill value, inside
zarr-python's own metadata code), with the same stored bytes and values as zarr-python's
pipeline, and the same errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.pipeline.pipelines import DEFAULT, OURS, pipeline, stored

zarr = pytest.importorskip("zarr")
pytest.importorskip("cast_value_rs")
if not hasattr(zarr.codecs, "CastValue"):
    pytest.skip("zarr-python < 3.4 has no CastValue", allow_module_level=True)

import zarr.codecs.cast_value as zcv  # noqa: E402

CASES: list[tuple[str, dict[str, Any], Any, np.ndarray]] = [
    (
        "float64",
        {
            "data_type": "uint8",
            "out_of_range": "clamp",
            "scalar_map": {"encode": [("NaN", 0)], "decode": [(0, "NaN")]},
        },
        "NaN",
        np.array([np.nan, 1.5, 2.5, 300.0, -4.0, 17.2, 99.5, 0.4]),
    ),
    ("int32", {"data_type": "int8", "out_of_range": "wrap"}, 5, np.arange(8, dtype="i4") * 77),
    ("float32", {"data_type": "float16", "rounding": "towards-zero"}, -0.0,
     np.array([0.1, -0.1, 1e-8, 65504.0, -3.0, 2.0**-20, 7.0, 1.0], "f4")),
]  # fmt: skip


def _array(dtype: str, cfg: dict[str, Any], fill: Any, data: np.ndarray, sharded: bool) -> Any:
    store = zarr.storage.MemoryStore()
    a = zarr.create_array(
        store,
        shape=(10,),
        chunks=(2,),
        shards=(4,) if sharded else None,
        dtype=dtype,
        fill_value=fill,
        filters=[zarr.codecs.CastValue(**cfg)],
        compressors=None,
    )
    a[:8] = data
    return store, a[:]


@pytest.fixture
def rs_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the arrays zarr-python hands to cast-value-rs."""
    sizes: list[int] = []
    real = zcv.cast_array_rs

    def counting(arr: Any, **kwargs: Any) -> Any:
        sizes.append(int(np.asarray(arr).size))
        return real(arr, **kwargs)

    monkeypatch.setattr(zcv, "cast_array_rs", counting)
    return sizes


@pytest.mark.parametrize("sharded", [False, True])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_same_chunks_and_values_as_zarr_pythons_pipeline(
    case: tuple[Any, ...], sharded: bool, rs_calls: list[int]
) -> None:
    with pipeline(DEFAULT):
        theirs, want = _array(*case, sharded=sharded)
    assert any(size > 1 for size in rs_calls)  # control: zarr-python's pipeline calls it
    rs_calls.clear()
    with pipeline(OURS):
        ours, got = _array(*case, sharded=sharded)
        assert stored(ours) == stored(theirs)
        assert got.tobytes() == want.tobytes()
        again = zarr.open_array(theirs)[:]
    assert again.tobytes() == want.tobytes()
    assert all(size == 1 for size in rs_calls)  # only fill values, in zarr's metadata code


def test_the_chain_binds_simplezarrs_codec() -> None:
    from zarr.core.array_spec import ArrayConfig, ArraySpec
    from zarr.core.buffer import default_buffer_prototype

    from simplezarr.codecs import CastValue
    from simplezarr.pipeline.chains import bind

    m = zarr.create_array(
        {}, shape=(4,), dtype="float64", filters=[zarr.codecs.CastValue(data_type="int16")]
    ).metadata
    spec = ArraySpec(
        (4,), m.data_type, m.fill_value, ArrayConfig.from_dict({}), default_buffer_prototype()
    )
    chain = bind(tuple(m.codecs), spec)
    assert isinstance(chain.codecs[0], CastValue)
    assert chain.codecs[0].to_dict() == m.codecs[0].to_dict()


def test_a_value_without_a_result_is_a_value_error() -> None:
    with pipeline(OURS):
        a = zarr.create_array(
            zarr.storage.MemoryStore(),
            shape=(4,),
            dtype="float64",
            filters=[zarr.codecs.CastValue(data_type="uint8")],
            compressors=None,
        )
        with pytest.raises(ValueError, match="out of the range"):
            a[:] = [1.0, 2.0, 256.0, 3.0]
