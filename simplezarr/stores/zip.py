"""ZipStore: a store in a single ZIP archive.

Each key is a member of the archive. Modes follow :class:`zipfile.ZipFile`: ``"r"`` reads
an existing archive (read-only), ``"w"`` creates or truncates, ``"x"`` creates a new one
(error if it exists), ``"a"`` appends to an existing archive (or creates it).

Overwrites and deletes. A ZIP archive cannot replace a member in place. Writing a key that
exists appends a new member and the store reads the newest; deleting a key forgets its
member. On :meth:`ZipStore.close` the archive is *compacted* when needed: the live members
are copied to a temporary file next to it, which then replaces the archive (an atomic
rename), so a closed archive never holds duplicate or deleted members. Until it is closed,
an archive opened for writing is not a valid ZIP file (the central directory is written on
close): always close the store, or use it as a context manager.

Safety. Member names are store keys (:mod:`simplezarr.stores.keys`), so no name that would
escape when extracted (``..``, absolute, backslashes, drive letters) is ever written; an
archive holding such a name is refused when opened (:class:`~simplezarr.errors.InvalidKey`)
rather than read. Directory entries (names ending in ``/``) are not keys and are skipped.

All calls are serialised by a lock, so one store can be shared by threads.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "data.zip")
    >>> with ZipStore(path, mode="w") as store:
    ...     store.set("a/zarr.json", b"{}")
    ...     store.set("a/zarr.json", b'{"v": 2}')  # an overwrite: compacted on close
    >>> with ZipStore(path) as store:
    ...     store.list(), store.get("a/zarr.json"), store.read_only
    (['a/zarr.json'], b'{"v": 2}', True)
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Literal

from simplezarr.errors import InvalidArgument, InvalidKey, StoreError
from simplezarr.stores.base import ByteRange, ListableStore, ReadableStore, WritableStore
from simplezarr.stores.keys import validate_key
from simplezarr.stores.local import TEMP_PREFIX

__all__ = ["ZipStore"]

ZipMode = Literal["r", "w", "a", "x"]


class ZipStore(ReadableStore, WritableStore, ListableStore):
    """A readable, writable (unless ``mode="r"``) and listable store in a ZIP archive.

    ``compression`` (``zipfile.ZIP_STORED`` by default, or ``ZIP_DEFLATED``, ...) applies to
    members written; ``allowZip64`` as in :class:`zipfile.ZipFile`. ``read_only`` defaults
    to ``mode == "r"``; a store opened for writing may also be made read-only.

    Example:
        >>> import os, tempfile, zipfile
        >>> path = os.path.join(tempfile.mkdtemp(), "x.zip")
        >>> store = ZipStore(path, mode="w", compression=zipfile.ZIP_DEFLATED)
        >>> store.set("c/0", bytes(range(10)))
        >>> store.get("c/0", (-3, None)), store.getsize("c/0")
        (b'\\x07\\x08\\t', 10)
        >>> store.close()
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        mode: ZipMode = "r",
        read_only: bool | None = None,
        compression: int = zipfile.ZIP_STORED,
        allowZip64: bool = True,  # noqa: N803 - zarr-python's and zipfile's name
    ) -> None:
        if mode not in ("r", "w", "a", "x"):
            raise InvalidArgument(f"ZipStore mode must be 'r', 'w', 'a' or 'x', got {mode!r}")
        if read_only is None:
            read_only = mode == "r"
        if mode == "r" and not read_only:
            raise InvalidArgument("ZipStore mode 'r' is read-only; open with mode 'a' to write")
        super().__init__(read_only=read_only)
        self.path = Path(path)
        self.mode = mode
        self.compression = compression
        self.allowZip64 = allowZip64
        self._lock = threading.RLock()
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._stale = False  # members overwritten or deleted: compact on close
        self._closed = False
        self._zip = self._open()

    def _open(self) -> zipfile.ZipFile:
        try:
            archive = zipfile.ZipFile(
                self.path, self.mode, compression=self.compression, allowZip64=self.allowZip64
            )
        except FileNotFoundError as e:
            raise StoreError(f"no ZIP archive at {str(self.path)!r} ({e})") from e
        except FileExistsError as e:
            raise StoreError(
                f"a file exists at {str(self.path)!r}; mode 'x' only creates new archives"
            ) from e
        except (zipfile.BadZipFile, OSError) as e:
            raise StoreError(f"cannot open ZIP archive {str(self.path)!r}: {e}") from e
        try:
            for info in archive.infolist():
                name = self._checked_name(info.filename)
                if info.is_dir():
                    continue
                if name in self._members:
                    self._stale = True
                self._members[name] = info
        except BaseException:
            archive.close()
            raise
        return archive

    def _checked_name(self, name: str) -> str:
        try:
            return validate_key(name[:-1] if name.endswith("/") else name)
        except InvalidKey as e:
            raise InvalidKey(
                f"ZIP archive {str(self.path)!r} has a member named {name!r}, which is not a "
                f"legal store key ({e}); refusing to read an archive whose names could "
                "escape the extraction directory"
            ) from e

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Write the archive's directory, compact it if members were replaced, release it.

        Closing twice is fine; any other call on a closed store raises StoreError.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._zip.close()
            if self._stale and self.mode != "r":
                self._compact()

    def _compact(self) -> None:
        """Rewrite the archive with only the live members (temporary file, then rename)."""
        live = {info.header_offset: name for name, info in self._members.items()}
        temp = self.path.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex}-{self.path.name}")
        try:
            with zipfile.ZipFile(self.path) as source, zipfile.ZipFile(
                temp, "w", allowZip64=self.allowZip64
            ) as target:
                for info in source.infolist():
                    if live.get(info.header_offset) != info.filename:
                        continue  # replaced, deleted, or a directory entry
                    copy = zipfile.ZipInfo(info.filename, info.date_time)
                    copy.compress_type = info.compress_type
                    copy.external_attr = info.external_attr
                    copy.file_size = info.file_size
                    big = info.file_size >= zipfile.ZIP64_LIMIT
                    with source.open(info) as src, target.open(copy, "w", force_zip64=big) as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
            os.replace(temp, self.path)
        except BaseException as e:
            temp.unlink(missing_ok=True)
            if isinstance(e, Exception):
                raise StoreError(
                    f"could not compact ZIP archive {str(self.path)!r} on close: {e}; it is "
                    "valid but still holds replaced members (readers see the newest)"
                ) from e
            raise

    def __enter__(self) -> ZipStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self!r} is closed; open a new ZipStore to use the archive")

    # -- ReadableStore ------------------------------------------------------------------

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        with self._lock:
            self._check_open()
            info = self._members.get(key)
            if info is None:
                return None
            size = info.file_size
            if byte_range is None:
                start, stop = 0, size
            else:
                start, length = byte_range
                start = max(size + start, 0) if start < 0 else min(start, size)
                stop = size if length is None else min(start + length, size)
            try:
                with self._zip.open(info) as member:
                    if start:
                        member.seek(start)  # stored members: a plain seek
                    return member.read(stop - start)
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                raise StoreError(f"could not read key {key!r} from {self!r}: {e}") from e

    def _getsize(self, key: str) -> int | None:
        with self._lock:
            self._check_open()
            info = self._members.get(key)
            return None if info is None else info.file_size

    # -- WritableStore ------------------------------------------------------------------

    def _set(self, key: str, data: bytes) -> None:
        with self._lock:
            self._check_open()
            info = zipfile.ZipInfo(key, date_time=time.localtime(time.time())[:6])
            info.compress_type = self.compression
            info.external_attr = 0o644 << 16
            if key in self._members:
                self._stale = True
                # zipfile warns about a duplicate name; the old member goes on close.
                self._zip.NameToInfo.pop(key, None)
            try:
                self._zip.writestr(info, data)
            except (OSError, zipfile.LargeZipFile, ValueError) as e:
                raise StoreError(f"could not write key {key!r} to {self!r}: {e}") from e
            self._members[key] = info

    def _delete(self, key: str) -> None:
        with self._lock:
            self._check_open()
            if self._members.pop(key, None) is not None:
                self._stale = True
                self._zip.NameToInfo.pop(key, None)

    def _patch(self, key: str, patches: list[tuple[int, bytes]]) -> None:
        with self._lock:
            super()._patch(key, patches)

    def _erase_prefix(self, prefix: str) -> None:
        with self._lock:
            super()._erase_prefix(prefix)

    # -- ListableStore ------------------------------------------------------------------

    def _list(self) -> Iterable[str]:
        with self._lock:
            self._check_open()
            return list(self._members)

    # -- Python protocols ---------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ZipStore):
            return NotImplemented
        return self.path.resolve() == other.path.resolve()

    def __hash__(self) -> int:
        return hash((ZipStore, self.path.resolve()))

    def __repr__(self) -> str:
        flag = ", read_only=True" if self._read_only else ""
        return f"ZipStore({str(self.path)!r}, mode={self.mode!r}{flag})"
