"""``simplezarr verify PATH``: decode every stored chunk, report each bad one."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from simplezarr.api.verify import verify
from simplezarr.cli.common import add_path_option, add_store_options, open_node, storage_options
from simplezarr.cli.copy import add_progress_option
from simplezarr.cli.progress import Progress
from simplezarr.errors import InvalidArgument
from simplezarr.stores.local import LocalStore

__all__ = ["add_parser"]


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "verify",
        help="decode every chunk, check checksums, report each corrupt key",
        description="Read every node's metadata and decode every stored chunk (or shard) "
        "of the array or group at PATH, checking checksums; print each problem with its "
        "array path and store key. Exit status 1 when anything is wrong.",
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument(
        "--repair",
        action="store_true",
        help="remove temporary files left behind by writers that are gone (local stores)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_progress_option(p)
    add_path_option(p)
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_node(args.path, storage_options(args.storage_option), args.client, args.node) as node:
        if args.repair and not isinstance(node.store, LocalStore):
            raise InvalidArgument(
                "--repair removes temporary files of a local directory store; "
                f"{args.path!r} is not one"
            )
        with Progress("verify", "none" if args.quiet else args.progress) as progress:
            report = verify(node, progress=progress, repair=args.repair)
    if args.json:
        doc = asdict(report)
        doc["ok"] = report.ok
        print(json.dumps(doc, indent=2))
        return 0 if report.ok else 1
    for problem in report.problems:
        if problem.key is None:
            print(f"bad node: {problem.path or '/'}: {problem.message}")
        else:
            print(f"corrupt: {problem.key} (array {problem.path or '/'!r}): {problem.message}")
    for path in report.removed_temporaries:
        print(f"removed stale temporary file: {path}")
    for path in report.stale_temporaries:
        print(f"stale temporary file: {path} (remove it with --repair)")
    print(report.summary())
    return 0 if report.ok else 1
