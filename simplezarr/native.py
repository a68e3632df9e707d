"""The optional compiled hot loop of a read, and whether it is used.

``simplezarr._native`` is a small C extension built from source by ``pip install`` when the
machine has a C compiler (see setup.py; a failed build leaves it out and the install goes
on). It does two things of a read's per-chunk work with the GIL released for a whole
batch: :class:`~simplezarr.stores.LocalStore` reads a batch of files (open, fstat, pread,
close) in one call, and the read stage copies a part's decoded chunks into the caller's
buffer in one call. Everything it does the pure-Python path does too, with the same
results and errors; it is used when it was built and ``config.native`` is on
(``SIMPLEZARR_NATIVE=0`` turns it off).

Example:
    >>> from simplezarr.config import config
    >>> with config.set(native=False):
    ...     module() is None
    True
    >>> module() is None or hasattr(module(), "scatter")
    True
"""

from __future__ import annotations

import importlib
from types import ModuleType

from simplezarr.config import config

__all__ = ["available", "module"]

_native: ModuleType | None
try:
    # By name: "from simplezarr import _native" would make this module (and the codecs
    # and stores importing it) depend on the package's __init__ for mypy, which then
    # checks the engine's import cycle in another order and trips over it.
    _native = importlib.import_module("simplezarr._native")
except ImportError:  # not built (no compiler at install time): the pure-Python path
    _native = None

#: Whether the extension was built and imports.
available: bool = _native is not None


def module() -> ModuleType | None:
    """The extension when it is built and ``config.native`` is on, else None."""
    return _native if config.native else None
