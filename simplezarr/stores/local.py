"""LocalStore: a store in a directory of the local file system.

Each key is a file under the root directory: key ``"a/b/c"`` is the file ``<root>/a/b/c``.

Safety. Keys are not trusted (they come from metadata), the directory is: no key can name
a path outside the root (see :mod:`simplezarr.stores.keys`), and before writing or deleting,
the real (symlink-resolved) directory of the key is checked to lie inside the real root, so a
symbolic link inside the root that points outside is never written or deleted through
(:class:`~simplezarr.errors.InvalidKey`). Reads do follow symbolic links placed in the
directory, like every file-based tool; recursive listing does not descend into symbolically
linked directories.

Atomicity. A value is written whole before its key shows it, so readers see the old or
the new value, never a mix; a failed write leaves the old value. On Linux, where the file
system has them, the value goes into an *unnamed* file of the key's directory
(``O_TMPFILE``), which ``linkat`` names as the key once written: a new key costs no rename
and a writer killed before the link leaves nothing behind. A key that exists already is
replaced by linking the file under a temporary name and renaming it over the key (linkat
never replaces). Elsewhere (another platform, a file system without ``O_TMPFILE``: found
out on a store's first write, once) the value is written to a named temporary file and
moved over the key with ``os.replace``. Temporary names are
``.simplezarr-tmp-<host>-<pid>-<32 hex digits>``; no key may have a segment starting with
``.simplezarr-tmp-`` (InvalidKey), so a temporary file can never be mistaken for a key, and
listings skip them. A writer killed between naming and renaming leaves its temporary file
behind (never listed, never read): :func:`remove_stale_temporaries` (or
``LocalStore.remove_stale_temporaries()``) removes those whose writer is gone. Data is not
``fsync``-ed unless ``fsync=True``.

Partial writes (``set_partial_values``, and the engine's read-modify-write of a chunk or
shard) hold the key's thread lock and an advisory byte-range lock on the hidden file
``<root>/.simplezarr-lock`` (:meth:`LocalStore.partial_write_lock`), so concurrent partial
writers in threads or processes never lose an update; a concurrent *whole* write (``set``)
of the same key takes no lock and can be undone by a partial write that read before it.

Keys that differ only in case collide on case-insensitive file systems (macOS, Windows).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import socket
import stat
import threading
import time
import uuid
import zlib
from collections.abc import Hashable, Iterable, Iterator, Sequence
from pathlib import Path

from simplezarr.concurrency import key_locks, key_slot
from simplezarr.errors import InvalidKey, StoreError
from simplezarr.native import module as native_module
from simplezarr.stores.base import (
    ByteRange,
    ListableStore,
    ReadableStore,
    StoredValue,
    WritableStore,
    byte_range_bounds,
    warn_partial_write_once,
)
from simplezarr.stores.keys import all_plain_keys, is_valid_key, validate_unreserved_key

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "LOCK_NAME",
    "STALE_AFTER",
    "TEMP_PREFIX",
    "LocalStore",
    "remove_stale_temporaries",
    "stale_temporaries",
]

#: Names of temporary files start with this; key segments may not.
TEMP_PREFIX = ".simplezarr-tmp-"

#: A temporary file older than this (seconds) counts as stale whoever wrote it (its name
#: cannot tell whether its writer is alive: another machine's, or an older simplezarr's).
STALE_AFTER = 24 * 3600.0

# Temporary files are named TEMP_PREFIX + "<host>-<pid>-<32 hex digits>", so a clean-up on
# this host can tell whether their writer is still running.
_HOST = f"{zlib.crc32(socket.gethostname().encode()):08x}"
_TEMP_NAME = re.compile(r"([0-9a-f]{8})-(\d+)-[0-9a-f]{32}")


def _temp_name() -> str:
    return f"{TEMP_PREFIX}{_HOST}-{os.getpid()}-{uuid.uuid4().hex}"


def _writer_gone(name: str) -> bool:
    """Whether the temporary file ``name`` was written by a process of this host that no
    longer runs (False when its name cannot tell)."""
    m = _TEMP_NAME.fullmatch(name[len(TEMP_PREFIX) :])
    if m is None or m.group(1) != _HOST:
        return False
    pid = int(m.group(2))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):
        return False  # alive (another user's), or no answer: keep it
    return False


def stale_temporaries(path: str | os.PathLike[str], *, max_age: float = STALE_AFTER) -> list[str]:
    """The temporary files (``.simplezarr-tmp-*``) under ``path`` that
    :func:`remove_stale_temporaries` would remove, relative to ``path``, sorted; nothing is
    removed.

    Example:
        >>> import tempfile
        >>> root = tempfile.mkdtemp()
        >>> open(os.path.join(root, TEMP_PREFIX + "0123abcd"), "wb").close()
        >>> stale_temporaries(root), stale_temporaries(root, max_age=0)
        ([], ['.simplezarr-tmp-0123abcd'])
    """
    root = os.path.realpath(os.fspath(path))
    return sorted(
        os.path.relpath(full, root).replace(os.sep, "/") for full in _stale(root, max_age)
    )


def _stale(root: str, max_age: float) -> Iterator[str]:
    now = time.time()
    for directory, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            if not name.startswith(TEMP_PREFIX):
                continue
            full = os.path.join(directory, name)
            try:
                st = os.lstat(full)
            except FileNotFoundError:
                continue  # its writer renamed it meanwhile
            if not stat.S_ISREG(st.st_mode):
                continue
            if _writer_gone(name) or now - st.st_mtime > max_age:
                yield full


def remove_stale_temporaries(
    path: str | os.PathLike[str], *, max_age: float = STALE_AFTER
) -> list[str]:
    """Remove the temporary files (``.simplezarr-tmp-*``) under ``path`` that a writer left
    behind when it was killed: those whose writer process on this host is gone, and those
    older than ``max_age`` seconds whoever wrote them. Returns their paths relative to
    ``path``, sorted. Keys, the lock file and temporaries of running writers are kept; the
    walk never follows symbolic links or leaves ``path``.

    A temporary file is never listed as a key and never read, so leaving one costs only
    disk space; a writer that loses its temporary file to a too-small ``max_age`` fails
    with StoreError and writes nothing.

    Example:
        >>> import tempfile
        >>> root = tempfile.mkdtemp()
        >>> stale = os.path.join(root, TEMP_PREFIX + "0123abcd")  # an old-style name
        >>> open(stale, "wb").close()
        >>> remove_stale_temporaries(root), remove_stale_temporaries(root, max_age=0)
        ([], ['.simplezarr-tmp-0123abcd'])
    """
    root = os.path.realpath(os.fspath(path))
    removed: list[str] = []
    for full in list(_stale(root, max_age)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(full)
            removed.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(removed)


#: The hidden lock file in a store's root (never a key: key validation refuses the name and
#: listings skip it): its bytes are the lock slots of partial writes.
LOCK_NAME = ".simplezarr-lock"

# One descriptor per lock file for the whole process, never closed: POSIX drops every lock
# a process holds on a file when it closes *any* descriptor of that file.
_LOCK_FDS: dict[str, int] = {}
_LOCK_FDS_LOCK = threading.Lock()


def _new_lock_fds_lock() -> None:
    # A forked child has one thread: a lock another thread of the parent held would never be
    # released in it. The descriptors stay valid, and the child holds no record lock on them
    # (POSIX record locks belong to a process and are not inherited).
    global _LOCK_FDS_LOCK
    _LOCK_FDS_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_fds_lock)


def _lock_fd(root: str, store: LocalStore) -> int:
    with _LOCK_FDS_LOCK:
        fd = _LOCK_FDS.get(root)
        if fd is None:
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
            try:
                os.makedirs(root, exist_ok=True)
                fd = os.open(os.path.join(root, LOCK_NAME), flags, 0o666)
            except OSError as e:
                raise StoreError(
                    f"could not open the lock file {LOCK_NAME!r} of {store!r} for a partial "
                    f"write: {e}"
                ) from e
            _LOCK_FDS[root] = fd
        return fd


def _lock_slot(fd: int, slot: int, store: LocalStore) -> None:
    """Lock byte ``slot`` of the lock file, waiting for other processes."""
    delay = 0.0005
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX, 1, slot, os.SEEK_SET)
            return
        except OSError as e:
            # POSIX locks belong to processes, so the kernel can see a deadlock between two
            # processes whose *different threads* hold and wait (each thread holds one slot
            # and waits for one, so there is none): wait a little and try again.
            if e.errno != errno.EDEADLK:
                raise StoreError(f"could not lock for a partial write in {store!r}: {e}") from e
            time.sleep(delay)
            delay = min(2 * delay, 0.05)


_NO_LOCK = contextlib.nullcontext()

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)

_NAMED_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)

#: Linux's unnamed files: ``open(directory, O_TMPFILE)`` makes a file no listing shows,
#: ``linkat`` gives it its name once written (0 where the platform has none).
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_UNNAMED_FLAGS = _O_TMPFILE | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) if _O_TMPFILE else 0
_UNNAMED = (_UNNAMED_FLAGS, 0o666)  # os.open's flags and mode (the umask applies)

# Errors of an O_TMPFILE open on a file system without unnamed files (EOPNOTSUPP), or on a
# kernel older than 3.11, which reads the flag as O_DIRECTORY (EISDIR with O_WRONLY).
_NO_UNNAMED_FILES = frozenset({errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL})
# Errors of the first linkat that say unnamed files cannot be named here (a file system
# that refuses links; ENOENT too when /proc is not mounted).
_NO_UNNAMED_LINKS = frozenset(
    {errno.EOPNOTSUPP, errno.EPERM, errno.EXDEV, errno.EINVAL, errno.EMLINK}
)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    """Write all of ``data``: one write for the usual case, a loop for huge values (Linux
    writes at most about 2 GiB per call)."""
    n = os.write(fd, data)
    if n == len(data):
        return
    view = memoryview(data)
    while n < len(view):
        n += os.write(fd, view[n:])


def _read_exactly(fd: int, start: int, n: int, key: str) -> bytes:
    """``n`` bytes from ``start``: one pread for the usual case, a loop for huge values."""
    data = os.pread(fd, n, start)
    if len(data) == n:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = os.pread(fd, n - got, start + got)
        if not more:  # the file shrank while being read
            raise StoreError(f"key {key!r} changed size while being read")
        parts.append(more)
        got += len(more)
    return b"".join(parts)


class _FileValue(StoredValue):
    """An open file: every read comes from the version that was opened, however often
    writers replace the key meanwhile (they rename a new file over it; this one stays)."""

    def __init__(self, fd: int, size: int, key: str, store: LocalStore) -> None:
        self._fd, self.size, self._key, self._store = fd, size, key, store

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        try:
            return [
                _read_exactly(self._fd, start, max(0, min(stop, self.size) - start), self._key)
                for start, stop in ranges
            ]
        except OSError as e:
            raise StoreError(f"could not read key {self._key!r} from {self._store!r}: {e}") from e

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


class LocalStore(ReadableStore, WritableStore, ListableStore):
    """A readable, writable and listable store in the directory ``path``.

    The directory is created on the first write, not before. Writes are atomic; pass
    ``fsync=True`` to also flush every written file and its directory to disk.

    Example:
        >>> import tempfile
        >>> store = LocalStore(tempfile.mkdtemp() + "/data.zarr")
        >>> store.set("group/zarr.json", b'{"node_type": "group"}')
        >>> store.list_dir(""), store.get("group/zarr.json", (2, 9))
        (['group/'], b'node_type')
        >>> (store.root / "group" / "zarr.json").is_file()
        True
    """

    def __init__(
        self, path: str | os.PathLike[str], read_only: bool = False, *, fsync: bool = False
    ) -> None:
        super().__init__(read_only=read_only)
        self._root = os.path.realpath(os.fspath(path))
        if os.path.exists(self._root) and not os.path.isdir(self._root):
            raise StoreError(f"cannot open a LocalStore at {os.fspath(path)!r}: not a directory")
        self._root_with_sep = self._root if self._root.endswith(os.sep) else self._root + os.sep
        self._fsync = bool(fsync)
        self._lock_path = os.path.join(self._root, LOCK_NAME)
        # Unnamed temporary files (O_TMPFILE): None until the first write tells.
        self._unnamed: bool | None = None if _UNNAMED_FLAGS and os.name == "posix" else False

    @property
    def root(self) -> Path:
        """The root directory, with symbolic links resolved."""
        return Path(self._root)

    @property
    def lock_scope(self) -> Hashable:
        return ("local", self._root)

    caches_chunks = True  # see BaseStore.caches_chunks

    def _validate_key(self, key: object) -> str:
        key = validate_unreserved_key(key, TEMP_PREFIX, "LocalStore")
        if key == LOCK_NAME:
            raise InvalidKey(
                f"invalid store key {key!r}: it is reserved for LocalStore's lock file"
            )
        return key

    # ReadableStore

    #: Files are read one after the other: no latency to hide, so the engine sizes its
    #: batches by memory alone (large live buffers cost page faults).
    read_batch_size = 0

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        path = self._root_with_sep + key  # a validated key: relative, no "." or ".."
        try:
            # O_NONBLOCK: opening a FIFO planted in the directory must not hang.
            fd = os.open(path, _READ_FLAGS)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as e:
            raise StoreError(f"could not read key {key!r} from {self!r}: {e}") from e
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                return None
            if not stat.S_ISREG(st.st_mode):  # a device (/dev/zero), FIFO or socket
                raise StoreError(f"could not read key {key!r} from {self!r}: not a regular file")
            size = st.st_size
            start, stop = byte_range_bounds(size, byte_range)
            return _read_exactly(fd, start, stop - start, key)
        except OSError as e:
            raise StoreError(f"could not read key {key!r} from {self!r}: {e}") from e
        finally:
            os.close(fd)

    def get_many(self, requests: Sequence[tuple[str, ByteRange]]) -> list[bytes | None]:
        # A batch of plain keys (every chunk key) whole is legal in one match: no segment
        # of a plain key starts with ".", as the temporary and lock files' names do.
        if (
            type(requests) is list
            and all(r is None for _, r in requests)
            and all_plain_keys([k for k, _ in requests])
        ):
            return self._get_many(requests)
        return super().get_many(requests)

    def _get_many(self, requests: list[tuple[str, ByteRange]]) -> list[bytes | None]:
        fast = native_module()
        if fast is None or len(requests) < 2 or type(self)._get is not LocalStore._get:
            return [self._get(key, byte_range) for key, byte_range in requests]
        # One call for the batch, the GIL released throughout (simplezarr.native); a file it
        # could not read comes back as an int, and _get reads it again to say why.
        keys = [key for key, _ in requests]
        ranges = None if all(r is None for _, r in requests) else [r for _, r in requests]
        datas = fast.read_files(self._root_with_sep, keys, ranges)
        for i, data in enumerate(datas):
            if type(data) is int:
                datas[i] = self._get(*requests[i])
        return datas

    def _open_values(
        self, requests: list[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        opened: list[tuple[StoredValue, bytes | memoryview] | None] = []
        try:
            for key, byte_range in requests:
                opened.append(self._open_value(key, byte_range))
        except BaseException:
            for item in opened:
                if item is not None:
                    item[0].close()
            raise
        return opened

    def _open_value(
        self, key: str, byte_range: ByteRange
    ) -> tuple[StoredValue, bytes | memoryview] | None:
        try:
            fd = os.open(self._root_with_sep + key, _READ_FLAGS)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as e:
            raise StoreError(f"could not read key {key!r} from {self!r}: {e}") from e
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                os.close(fd)
                return None
            if not stat.S_ISREG(st.st_mode):
                raise StoreError(f"could not read key {key!r} from {self!r}: not a regular file")
            start, stop = byte_range_bounds(st.st_size, byte_range)
            data = _read_exactly(fd, start, stop - start, key)
        except OSError as e:
            os.close(fd)
            raise StoreError(f"could not read key {key!r} from {self!r}: {e}") from e
        except BaseException:
            os.close(fd)
            raise
        return _FileValue(fd, st.st_size, key, self), data

    def _getsize(self, key: str) -> int | None:
        try:
            st = os.stat(os.path.join(self._root, key))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as e:
            raise StoreError(f"could not stat key {key!r} in {self!r}: {e}") from e
        return st.st_size if stat.S_ISREG(st.st_mode) else None

    # WritableStore

    def _set_buffer(self, key: str, data: bytes | memoryview) -> None:
        # The value is written to its file before _set returns, so no copy is needed.
        self._set(key, data)

    @property
    def unnamed_temporaries(self) -> bool | None:
        """Whether writes go through unnamed temporary files (Linux's ``O_TMPFILE``, named
        by ``linkat`` once written): True once one did, False where the platform or the
        file system has none (then a named temporary file is renamed over the key), None
        before the first write tells.

        Example:
            >>> import tempfile
            >>> store = LocalStore(tempfile.mkdtemp())
            >>> store.unnamed_temporaries is None
            True
            >>> store.set("k", b"v")
            >>> store.unnamed_temporaries in (True, False)
            True
        """
        return self._unnamed

    def _set(self, key: str, data: bytes | memoryview) -> None:
        if self._unnamed is not False:
            try:
                if self._set_unnamed(key, data):
                    return
            except OSError as e:
                raise StoreError(f"could not write key {key!r} to {self!r}: {e}") from e
        directory, name = self._write_location(key)
        self._set_named(key, directory, name, data)

    def _set_unnamed(self, key: str, data: bytes | memoryview) -> bool:
        """Write ``data`` into an unnamed file of the key's directory and link it in under
        the key's name: no reader or listing sees a file until it is whole, and a writer
        killed before the link leaves nothing behind. Only a key that already exists needs
        a name first (``linkat`` never replaces): the file is linked under a temporary name
        and renamed over the key. False (and the store writes named temporary files from
        then on) when the platform or file system has no unnamed files; nothing is written
        then."""
        parent, _, name = key.rpartition("/")
        fd = self._open_unnamed(key, parent)
        if fd is None:
            return False
        try:
            # The root is real already (resolved when the store was made).
            directory = self._unnamed_directory(fd, key) if parent else self._root
            if directory is None:
                return False
            _write_all(fd, data)
            if self._fsync:
                os.fsync(fd)
            if not self._link(fd, directory, name):
                return False
        finally:
            os.close(fd)
        self._unnamed = True
        if self._fsync:
            _fsync_directory(directory)
        return True

    def _open_unnamed(self, key: str, parent: str) -> int | None:
        """An unnamed file in the directory of ``key`` (made, once, when missing); None
        when the file system has none."""
        try:
            try:
                return os.open(self._root_with_sep + parent if parent else self._root, *_UNNAMED)
            except FileNotFoundError:  # the first key in this directory
                # Resolved first: a symbolic link out of the root is refused before any
                # directory is made through it.
                directory, _ = self._write_location(key)
                os.makedirs(directory, exist_ok=True)
                return os.open(directory, *_UNNAMED)
        except OSError as e:
            if e.errno in _NO_UNNAMED_FILES:
                self._unnamed = False
                return None
            raise

    def _unnamed_directory(self, fd: int, key: str) -> str | None:
        """The real directory of the unnamed file ``fd`` (``/proc/self/fd`` names it
        ``<directory>/#<inode> (deleted)``, symbolic links resolved: one system call where
        resolving the path would take one per component), checked to lie inside the root
        before anything is written (InvalidKey). None when /proc cannot tell (not mounted):
        unnamed files cannot be linked in then either."""
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            if self._unnamed is None:
                self._unnamed = False
                return None
            raise
        directory, _, tail = target.rpartition("/")
        if not tail.startswith("#"):
            raise StoreError(f"unexpected name {target!r} of an unnamed file")
        directory = directory or "/"
        if not self._is_inside_root(directory):
            raise InvalidKey(
                f"key {key!r} of {self!r} leads through a symbolic link to {directory}, "
                "outside the root; LocalStore never writes or deletes outside its root"
            )
        return directory

    def _link(self, fd: int, directory: str, name: str) -> bool:
        # linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N: os.link calls linkat (rather than
        # link, which does not follow the magic link) when given a directory descriptor;
        # the paths are absolute, so the descriptor itself is not used.
        source = f"/proc/self/fd/{fd}"
        path = f"{directory}/{name}"
        try:
            os.link(source, path, src_dir_fd=fd)
            return True
        except FileExistsError:  # an existing key: a name of our own, then a rename over it
            pass
        except OSError as e:
            if self._unnamed is None and (
                e.errno in _NO_UNNAMED_LINKS
                or (e.errno == errno.ENOENT and not os.path.isdir("/proc/self/fd"))
            ):
                self._unnamed = False  # the first write here: the file cannot be named
                return False
            raise
        temp = f"{directory}/{_temp_name()}"
        os.link(source, temp, src_dir_fd=fd)
        try:
            os.replace(temp, path)
        except BaseException:
            _remove_quietly(temp)
            raise
        return True

    def _set_named(self, key: str, directory: str, name: str, data: bytes | memoryview) -> None:
        """Write ``data`` to a named temporary file and rename it over the key (where there
        are no unnamed files: not Linux, or a file system without ``O_TMPFILE``)."""
        temp = os.path.join(directory, _temp_name())
        try:
            try:
                self._write_new_file(temp, data)
            except FileNotFoundError:  # the first key in this directory: make it, once
                os.makedirs(directory, exist_ok=True)
                self._write_new_file(temp, data)
            os.replace(temp, os.path.join(directory, name))
            if self._fsync:
                _fsync_directory(directory)
        except OSError as e:
            _remove_quietly(temp)
            raise StoreError(f"could not write key {key!r} to {self!r}: {e}") from e
        except BaseException:
            _remove_quietly(temp)
            raise

    def _write_new_file(self, path: str, data: bytes | memoryview) -> None:
        # os.open rather than tempfile.mkstemp: mkstemp's mode 0o600 would ignore the umask.
        fd = os.open(path, _NAMED_FLAGS, 0o666)
        try:
            _write_all(fd, data)
            if self._fsync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def _delete(self, key: str) -> None:
        directory, name = self._write_location(key)
        path = os.path.join(directory, name)
        try:
            os.unlink(path)
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as e:
            if os.path.isdir(path) and not os.path.islink(path):
                return  # a directory is a prefix, not a key: nothing to delete
            raise StoreError(f"could not delete key {key!r} from {self!r}: {e}") from e

    @contextlib.contextmanager
    def partial_write_lock(self, keys: Sequence[str]) -> Iterator[None]:
        """Lock ``keys`` against writers in other processes (and other machines where the
        file system's locks reach them, as NFS's can): an advisory ``fcntl.lockf`` lock on
        one byte per key (its :func:`~simplezarr.concurrency.key_slot`) of the hidden file
        ``<root>/.simplezarr-lock``. The caller holds the keys' thread locks
        (:func:`~simplezarr.concurrency.key_locks`), so no two threads of this process
        hold one slot. Only partial writes take it: a whole-object write needs no read.

        Example:
            >>> import tempfile
            >>> store = LocalStore(tempfile.mkdtemp())
            >>> with store.partial_write_lock(["c/0"]):
            ...     store.set("c/0", b"1")
            >>> store.list()
            ['c/0']
        """
        if fcntl is None:  # Windows: no byte-range locks simplezarr uses
            warn_partial_write_once(self)
            yield
            return
        fd = _LOCK_FDS.get(self._root)
        if fd is None:  # the first partial write: a refused key must not create the lock file
            for key in keys:
                self._write_location(self._validate_key(key))
            fd = _lock_fd(self._root, self)
        slots = sorted({key_slot(k) for k in keys})
        held: list[int] = []
        try:
            for slot in slots:
                _lock_slot(fd, slot, self)
                held.append(slot)
            yield
        finally:
            for slot in reversed(held):
                fcntl.lockf(fd, fcntl.LOCK_UN, 1, slot, os.SEEK_SET)

    def whole_write_lock(self, keys: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        """The :meth:`partial_write_lock` slots of ``keys``, taken for a whole write once
        the store has a lock file (some process has written part of a chunk here): without
        them a whole write landing between another process's read and write of the same
        chunk would be undone. Before any partial write there is nothing to keep out, and
        a whole write costs one ``stat`` (and no generator: this runs once per chunk).

        Example:
            >>> import tempfile
            >>> store = LocalStore(tempfile.mkdtemp())
            >>> with store.whole_write_lock(["c/0"]):
            ...     store.set("c/0", b"1")
        """
        if fcntl is None:
            return _NO_LOCK
        if self._root not in _LOCK_FDS:
            try:
                os.stat(self._lock_path)
            except OSError:  # no lock file (or no root yet): no partial writer to keep out
                return _NO_LOCK
        return self.partial_write_lock(keys)

    def remove_stale_temporaries(self, *, max_age: float = STALE_AFTER) -> list[str]:
        """Remove temporary files left behind by killed writers (see
        :func:`remove_stale_temporaries`); their paths relative to the root.

        Example:
            >>> import tempfile
            >>> LocalStore(tempfile.mkdtemp()).remove_stale_temporaries()
            []
        """
        self._check_writable("remove stale temporary files")
        return remove_stale_temporaries(self._root, max_age=max_age)

    def _patch(self, key: str, patches: list[tuple[int, bytes]]) -> None:
        with contextlib.ExitStack() as stack:
            for lock in key_locks(self.lock_scope, [key]):
                stack.enter_context(lock)
            stack.enter_context(self.partial_write_lock([key]))
            super()._patch(key, patches)

    def _erase_prefix(self, prefix: str) -> None:
        try:
            if prefix == "":
                self._remove_children(self._root)
            else:
                self._remove_prefix_directory(prefix)
        except OSError as e:
            raise StoreError(f"could not erase prefix {prefix!r} from {self!r}: {e}") from e

    def _remove_children(self, directory: str) -> None:
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            return
        for entry in entries:
            if directory == self._root and entry.name == LOCK_NAME:
                continue  # other processes may hold locks on it: it stays (it is no key)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)  # rmtree unlinks symlinks, never follows them
            else:
                os.unlink(entry.path)

    def _remove_prefix_directory(self, prefix: str) -> None:
        directory, name = self._write_location(prefix[:-1])
        path = os.path.join(directory, name)
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return
        if stat.S_ISDIR(mode):
            shutil.rmtree(path)
        elif stat.S_ISLNK(mode) and os.path.isdir(path):
            target = os.path.realpath(path)
            if not self._is_inside_root(target):
                raise InvalidKey(
                    f"prefix {prefix!r} of {self!r} is a symbolic link to {target}, outside "
                    "the root; LocalStore never erases outside its root"
                )
            os.unlink(path)  # the keys seen through the link belong to its target's prefix
        # A file (or a link to one) at the prefix's name is a key, not a prefix: keep it.

    def _write_location(self, key: str) -> tuple[str, str]:
        """The real directory holding ``key``'s file, and the file's name.

        Raises InvalidKey when a symbolic link would lead the write outside the root.
        """
        parent, _, name = key.rpartition("/")
        directory = self._real_directory(parent) if parent else self._root
        if not self._is_inside_root(directory):
            raise InvalidKey(
                f"key {key!r} of {self!r} leads through a symbolic link to {directory}, "
                "outside the root; LocalStore never writes or deletes outside its root"
            )
        return directory, name

    def _real_directory(self, parent: str) -> str:
        """``os.path.realpath`` of ``root/parent`` (a validated key's directory), walking only
        the components below the (already real) root: one ``lstat`` each, and realpath
        itself only where one is a symbolic link. A missing component ends the walk: what
        is below it does not exist either."""
        path = self._root
        parts = parent.split("/")
        for i, part in enumerate(parts):
            path = os.path.join(path, part)
            try:
                mode = os.lstat(path).st_mode
            except (FileNotFoundError, NotADirectoryError):
                return os.path.join(path, *parts[i + 1 :])
            if stat.S_ISLNK(mode):
                return os.path.realpath(os.path.join(self._root, parent))
        return path

    def _is_inside_root(self, real_path: str) -> bool:
        return real_path == self._root or real_path.startswith(self._root_with_sep)

    # ListableStore

    def _list(self) -> Iterable[str]:
        return self._walk(self._root, "")

    def _list_prefix(self, prefix: str) -> Iterable[str]:
        return self._walk(os.path.join(self._root, prefix), prefix)

    def _list_dir(self, prefix: str) -> Iterable[str]:
        children = []
        for key, entry in self._entries(os.path.join(self._root, prefix), prefix):
            if entry.is_dir(follow_symlinks=False):
                if self._has_key(entry.path, key + "/"):
                    children.append(key + "/")
            elif entry.is_file():
                children.append(key)
        return children

    def _is_empty(self, prefix: str) -> bool:
        return not self._has_key(os.path.join(self._root, prefix), prefix)

    def _walk(self, directory: str, prefix: str) -> Iterator[str]:
        """Keys of the files under ``directory`` (whose key prefix is ``prefix``)."""
        for key, entry in self._entries(directory, prefix):
            if entry.is_dir(follow_symlinks=False):
                yield from self._walk(entry.path, key + "/")
            elif entry.is_file():
                yield key

    def _has_key(self, directory: str, prefix: str) -> bool:
        # Empty directories (left by deletes, or by other tools) hold no keys.
        return next(iter(self._walk(directory, prefix)), None) is not None

    def _entries(self, directory: str, prefix: str) -> list[tuple[str, os.DirEntry[str]]]:
        """``(key, entry)`` for the entries of ``directory`` that can be keys."""
        try:
            with os.scandir(directory) as entries:
                return [
                    (prefix + e.name, e)
                    for e in entries
                    if not e.name.startswith(TEMP_PREFIX)
                    and (prefix or e.name != LOCK_NAME)
                    and is_valid_key(prefix + e.name)
                ]
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as e:
            raise StoreError(f"could not list {directory} in {self!r}: {e}") from e

    # Python protocols

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LocalStore):
            return NotImplemented
        return self._root == other._root

    def __hash__(self) -> int:
        return hash((LocalStore, self._root))

    def __repr__(self) -> str:
        flag = ", read_only=True" if self._read_only else ""
        return f"LocalStore({self._root!r}{flag})"


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _fsync_directory(path: str) -> None:
    """Make a rename in ``path`` durable (POSIX only; Windows cannot open directories)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
