"""Where the Zarr data written by other implementations lives: ``../shared/fixtures/external``
next to the project root, and nowhere else (see ``../shared/fixtures/README.md``).

Tests that need it call :func:`require` and are skipped, with a message saying what is
missing, when it is not there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: The project root is the parent of tests/.
PROJECT = Path(__file__).resolve().parents[1]
EXTERNAL = PROJECT.parent / "shared" / "fixtures" / "external"


def require() -> Path:
    """The fixture directory, or skip the calling test saying where it was looked for."""
    if not EXTERNAL.is_dir():
        pytest.skip(
            f"external fixtures not found: expected {EXTERNAL} (../shared/fixtures/external "
            "next to the project root)"
        )
    return EXTERNAL
