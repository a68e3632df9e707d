"""Lost updates: read-modify-write increments by threads (and processes, see
test_process_locks.py) that write different elements of one chunk or one shard.

Each worker owns one element and increments it ``n`` times through ``a[i] = a[i] + 1``;
the write of one element is a read-modify-write of the whole chunk (or shard), so without
a lock shared by the workers they overwrite each other's elements. The figure is the number
of increments missing at the end: 0 with the locks, about 60 % of them without (the
controls, which prove the count can fail).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import simplezarr as sz

THREADS = 4
INCREMENTS = 150


def _create(store: object, sharded: bool) -> None:
    if sharded:  # 4 inner chunks in one shard; each worker writes its own inner chunk
        sz.create_array(store, shape=(16,), chunks=(4,), shards=(16,), dtype="i4", fill_value=0)
    else:  # one chunk; each worker writes its own element of it
        sz.create_array(store, shape=(16,), chunks=(16,), dtype="i4", fill_value=0)


def lost_updates(opener: Callable[[], object], sharded: bool) -> int:
    """Increments lost when THREADS threads each open the array with ``opener()``."""
    _create(opener(), sharded)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            a = sz.open_array(opener(), mode="r+")
            i = 4 * t
            for _ in range(INCREMENTS):
                a[i] = a[i] + 1
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return THREADS * INCREMENTS - int(sz.open_array(opener())[:].sum())


@pytest.mark.parametrize("sharded", [False, True], ids=["chunk", "shard"])
def test_threads_opening_one_path_separately_lose_nothing(tmp_path: Path, sharded: bool) -> None:
    path = str(tmp_path / "a.zarr")
    assert lost_updates(lambda: path, sharded) == 0


def test_threads_with_separate_local_stores_of_one_root_lose_nothing(tmp_path: Path) -> None:
    # Two spellings of one directory are one location.
    (tmp_path / "sub").mkdir()
    spellings = [str(tmp_path / "a.zarr"), str(tmp_path / "sub" / ".." / "a.zarr")]
    count = iter(range(10**6))
    assert lost_updates(lambda: sz.storage.LocalStore(spellings[next(count) % 2]), False) == 0


def test_threads_with_separate_dict_stores_of_one_dict_lose_nothing() -> None:
    shared: dict[str, object] = {}
    assert lost_updates(lambda: sz.storage.DictStore(shared), True) == 0


def test_control_without_the_locks_updates_are_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The control: the same workload with the per-key locks switched off loses updates,
    # so the tests above would see a lost update.
    write_stage = importlib.import_module("simplezarr.engine.write")
    monkeypatch.setattr(write_stage, "key_locks", lambda scope, keys: [])
    paths = [str(tmp_path / f"{n}.zarr") for n in range(3)]
    lost = max(lost_updates(lambda p=p: p, False) for p in paths)
    assert lost > 0
