"""moto's S3 server with conditional writes atomic, as S3 makes them (run as a script, with
moto.server's arguments).

moto 5 checks ``If-Match`` / ``If-None-Match`` in ``S3Response.put_object`` and stores the
object several steps later, without a lock; its server is threaded, so two writers that
both hold an object's ETag can both pass the check and the second overwrites the first:
a lost update made by the test server, which the lost-update tests then report. S3 itself
evaluates the condition and the write as one operation. Here every object write and delete
holds one lock, which makes them so.
"""

from __future__ import annotations

import functools
import sys
import threading
from typing import Any

_LOCK = threading.Lock()


def _atomic(method: Any) -> Any:
    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(self, *args, **kwargs)

    return locked


def run() -> int:
    """Patch moto's S3 object writes and deletes to hold the lock, then run its server.
    (Not at import: pytest's doctest collection imports this module, moto or not.)"""
    from moto.s3.responses import S3Response
    from moto.server import main

    for name in ("put_object", "delete_object"):
        setattr(S3Response, name, _atomic(getattr(S3Response, name)))
    main()
    return 0


if __name__ == "__main__":
    sys.exit(run())
