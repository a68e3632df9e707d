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

Read-only. A store opened with ``mode="r"`` or ``read_only=True`` never changes the file:
the archive is opened for reading only (mode ``"a"`` with ``read_only=True`` needs an
existing archive) and closing it never compacts or rewrites it.

Safety. Member names written are store keys (:mod:`simplezarr.stores.keys`), so no name
that would escape when extracted is ever written. When an archive is opened:

- a name that could escape on extraction (a ``..`` segment, an absolute path, a drive
  letter, a backslash) makes the whole archive refused (:class:`~simplezarr.errors.InvalidKey`);
- harmless spellings are mapped to their key: empty and ``.`` segments are dropped, so
  ``a//b`` and ``./a/b`` read as key ``a/b`` (if two members map to one key, the later one
  wins, as for an overwrite, and compaction writes it under the key's name);
- other names that are not legal keys (control characters, ...) and directory entries
  (names ending in ``/``) are skipped: they are not keys (and a compaction drops them).

Mode ``"a"`` refuses a file that is not a ZIP archive (rather than appending an archive to
it); an empty file is fine. Compaction keeps the archive's permission bits.

Pickling. A ZipStore pickles as its path and options and is reopened from the path when
unpickled. An unpickled copy never truncates: a store made with mode ``"w"`` or ``"x"``
comes back in mode ``"a"`` (the archive already exists), ``"r"`` and ``"a"`` come back as
they were. A store with writes not yet closed cannot be pickled (its archive is not
readable until closed): close it first. Only one store may write to an archive at a time.

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
import re
import shutil
import stat
import threading
import time
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, Literal

from simplezarr.errors import InvalidArgument, InvalidKey, StoreError
from simplezarr.stores.base import (
    ByteRange,
    ListableStore,
    ReadableStore,
    WritableStore,
    byte_range_bounds,
)
from simplezarr.stores.keys import validate_key
from simplezarr.stores.local import TEMP_PREFIX

__all__ = ["ZipStore"]

ZipMode = Literal["r", "w", "a", "x"]

_DRIVE = re.compile(r"[A-Za-z]:")


def _escapes(name: str) -> bool:
    """Whether a member name could land outside the directory it is extracted to."""
    return (
        "\\" in name or name.startswith("/") or bool(_DRIVE.match(name)) or ".." in name.split("/")
    )


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
        path: str | os.PathLike[str] | IO[bytes],
        *,
        mode: ZipMode = "r",
        read_only: bool | None = None,
        compression: int = zipfile.ZIP_STORED,
        allowZip64: bool = True,
    ) -> None:
        if mode not in ("r", "w", "a", "x"):
            raise InvalidArgument(f"ZipStore mode must be 'r', 'w', 'a' or 'x', got {mode!r}")
        if read_only is None:
            read_only = mode == "r"
        if mode == "r" and not read_only:
            raise InvalidArgument("ZipStore mode 'r' is read-only; open with mode 'a' to write")
        #: A binary file object read in place of a path (zarr-python 3.4's ZipStore(f)).
        self._fileobj: IO[bytes] | None = None
        if hasattr(path, "read"):
            if mode != "r":
                raise InvalidArgument(
                    "a ZipStore over an open file object reads it only: use mode 'r', or "
                    "pass the archive's path to write"
                )
            self._fileobj = path  # type: ignore[assignment]
            name = getattr(path, "name", None)
            path = name if isinstance(name, str) else "<file object>"
        super().__init__(read_only=read_only)
        self.path = Path(path)
        self.mode = mode
        self.compression = compression
        self.allowZip64 = allowZip64
        self._open_store()

    def _open_store(self) -> None:
        self._lock = threading.RLock()
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._stale = False  # members overwritten or deleted: compact on close
        self._dirty = False  # written or deleted since opened: the file is not readable yet
        self._closed = False
        self._zip = self._open()

    def _open(self) -> zipfile.ZipFile:
        where = str(self.path)
        # Read-only: the file is never opened for writing, so closing cannot change it.
        zip_mode = "r" if self._read_only and self.mode == "a" else self.mode
        if self._fileobj is not None:
            try:
                return self._read_members(zipfile.ZipFile(self._fileobj, "r"))
            except (zipfile.BadZipFile, OSError, ValueError) as e:
                raise StoreError(f"cannot open ZIP archive {where!r}: {e}") from e
        appending = zip_mode == "a" and self.path.is_file() and self.path.stat().st_size > 0
        if appending and not zipfile.is_zipfile(self.path):
            raise StoreError(
                f"{where!r} is not a ZIP archive; mode 'a' appends to an existing archive "
                "only (use mode 'w' to replace the file)"
            )
        try:
            archive = zipfile.ZipFile(
                self.path, zip_mode, compression=self.compression, allowZip64=self.allowZip64
            )
        except FileNotFoundError as e:
            if zip_mode != "r" and not self.path.parent.is_dir():
                raise StoreError(
                    f"cannot create the ZIP archive {where!r}: the directory "
                    f"{str(self.path.parent)!r} does not exist"
                ) from e
            raise StoreError(f"no ZIP archive at {where!r} ({e})") from e
        except FileExistsError as e:
            raise StoreError(
                f"a file exists at {where!r}; mode 'x' only creates new archives"
            ) from e
        except (zipfile.BadZipFile, OSError) as e:
            raise StoreError(f"cannot open ZIP archive {where!r}: {e}") from e
        return self._read_members(archive)

    def _read_members(self, archive: zipfile.ZipFile) -> zipfile.ZipFile:
        try:
            for info in archive.infolist():
                key = self._member_key(info)
                if key is None:
                    continue
                if key in self._members:
                    self._stale = True
                self._members[key] = info
        except BaseException:
            archive.close()
            raise
        return archive

    def _member_key(self, info: zipfile.ZipInfo) -> str | None:
        """The key of a member (see the module docstring), None to skip it; InvalidKey if
        its name could escape on extraction."""
        name = info.filename
        if _escapes(name):
            raise InvalidKey(
                f"ZIP archive {str(self.path)!r} has a member named {name!r}, which could "
                "escape the extraction directory; refusing to read the archive"
            )
        if info.is_dir():
            return None
        key = "/".join(s for s in name.split("/") if s not in ("", "."))
        try:
            return validate_key(key)
        except InvalidKey:
            return None  # not a key (e.g. control characters): not readable through the store

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Write the archive's directory, compact it if members were replaced, release it.

        A read-only store only releases the file: it never writes or rewrites the archive.
        Closing twice is fine; any other call on a closed store raises StoreError.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._zip.close()
            if self._stale and not self._read_only and self.mode != "r":
                self._compact()

    def _compact(self) -> None:
        """Rewrite the archive with only the live members (temporary file, then rename).

        The new file gets the permission bits of the archive it replaces.
        """
        live = {info.header_offset: key for key, info in self._members.items()}
        temp = self.path.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex}-{self.path.name}")
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
            with (
                zipfile.ZipFile(self.path) as source,
                zipfile.ZipFile(temp, "w", allowZip64=self.allowZip64) as target,
            ):
                for info in source.infolist():
                    key = live.get(info.header_offset)
                    if key is None or info.is_dir():
                        continue  # replaced, deleted, skipped, or a directory entry
                    copy = zipfile.ZipInfo(key, info.date_time)
                    copy.compress_type = info.compress_type
                    copy.external_attr = info.external_attr
                    copy.file_size = info.file_size
                    big = info.file_size >= zipfile.ZIP64_LIMIT
                    with source.open(info) as src, target.open(copy, "w", force_zip64=big) as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
            os.chmod(temp, mode)
            os.replace(temp, self.path)
        except BaseException as e:
            temp.unlink(missing_ok=True)
            if isinstance(e, Exception):
                raise StoreError(
                    f"could not compact ZIP archive {str(self.path)!r} on close: {e}; it is "
                    "valid but still holds replaced members (readers see the newest)"
                ) from e
            raise

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
            start, stop = byte_range_bounds(size, byte_range)
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
            old = self._members.get(key)
            if old is not None:
                self._stale = True
                # zipfile warns about a duplicate name; the old member goes on close.
                self._zip.NameToInfo.pop(old.filename, None)
            self._dirty = True
            try:
                self._zip.writestr(info, data)
            except (OSError, zipfile.LargeZipFile, ValueError) as e:
                raise StoreError(f"could not write key {key!r} to {self!r}: {e}") from e
            self._members[key] = info

    def _delete(self, key: str) -> None:
        with self._lock:
            self._check_open()
            info = self._members.pop(key, None)
            if info is not None:
                self._stale = self._dirty = True
                self._zip.NameToInfo.pop(info.filename, None)

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

    def __getstate__(self) -> dict[str, Any]:
        """Path and options only: the copy reopens the archive (see the module docstring)."""
        if self._fileobj is not None:
            raise StoreError(
                f"cannot pickle {self!r}: it reads an open file object; open the archive "
                "by its path to pass the store to another process"
            )
        with self._lock:
            if self._dirty and not self._closed:
                raise StoreError(
                    f"cannot pickle {self!r}: it has writes that are not in the archive until "
                    "it is closed; close the store first (then pickle it, or a new one)"
                )
            return {
                "path": self.path,
                "mode": "a" if self.mode in ("w", "x") else self.mode,
                "read_only": self._read_only,
                "compression": self.compression,
                "allowZip64": self.allowZip64,
            }

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        self._fileobj = None
        self._read_only = state.pop("read_only")
        self.__dict__.update(state)
        self._open_store()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ZipStore):
            return NotImplemented
        if self._fileobj is not None or other._fileobj is not None:
            return self._fileobj is other._fileobj
        return self.path.resolve() == other.path.resolve()

    def __hash__(self) -> int:
        if self._fileobj is not None:
            return hash((ZipStore, id(self._fileobj)))
        return hash((ZipStore, self.path.resolve()))

    def __repr__(self) -> str:
        flag = ", read_only=True" if self._read_only else ""
        return f"ZipStore({str(self.path)!r}, mode={self.mode!r}{flag})"
