"""The drop-in suite: the same code run against zarr-python and against simplezarr.

``lib`` is each library in turn (``zarr`` first); tests that compare the two call
:func:`both`, which runs a function with each module and returns both results.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import simplezarr

zarr = pytest.importorskip("zarr")

#: zarr-python 3.4 or newer. Where zarr-python 3.1 and 3.4 disagree simplezarr follows 3.4
#: (docs/api.md); the tests of those cases compare with 3.4's results, checked against
#: zarr-python itself when 3.4 is the one installed (CI runs both).
ZARR_34 = tuple(int(p) for p in zarr.__version__.split(".")[:2]) >= (3, 4)


def both(fn: Callable[[ModuleType], Any]) -> tuple[Any, Any]:
    """``(fn(zarr), fn(simplezarr))``, zarr-python's warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = fn(zarr)
    return theirs, fn(simplezarr)


def raised(fn: Callable[[], Any]) -> type[BaseException] | None:
    """The type of the exception ``fn()`` raises, or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:
        return type(e)
    return None


@pytest.fixture(params=["zarr", "simplezarr"])
def lib(request: pytest.FixtureRequest) -> ModuleType:
    """zarr-python, then simplezarr: the same test body must pass with both."""
    return zarr if request.param == "zarr" else simplezarr
