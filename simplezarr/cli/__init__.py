"""The ``simplezarr`` command-line tool: ``info``, ``ls``, ``tree``, ``copy``, ``verify``
(see docs/cli.md). Run as ``simplezarr ...`` or ``python -m simplezarr ...``.

Errors are one line on stderr, ``simplezarr: error: ...``, with exit status 1 (2 for a
wrong command line, 130 when interrupted); ``--debug`` shows the traceback instead.

Example:
    >>> main(["--version"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    SystemExit: 0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from simplezarr.cli import copy, info, verify

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """Usage errors as every other error: ``simplezarr: error: ...`` (status 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        command = self.prog.removeprefix("simplezarr").strip()
        head = f"{command}: " if command else ""
        self.exit(2, f"simplezarr: error: {head}{message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser: one sub-command per module of this package."""
    parser = _Parser(
        prog="simplezarr",
        description="Inspect, copy, convert and verify Zarr v2 and v3 arrays and groups.",
    )
    parser.add_argument("--version", action="version", version=f"simplezarr {_version()}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    info.add_parsers(commands)
    copy.add_parser(commands)
    verify.add_parser(commands)
    for sub in commands.choices.values():
        sub.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
    return parser


def _version() -> str:
    # The package namespace is loaded before any of its subpackages, so its __version__
    # is there to read; importing it here would be an import upwards.
    return str(sys.modules["simplezarr"].__version__)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 2000 else text[:2000] + " ..."


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        if args.debug:
            raise
        hint = "; run it again with --resume to continue" if args.command == "copy" else ""
        print(f"simplezarr: interrupted{hint}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1  # the reader of our output went away (simplezarr ls ... | head)
    except Exception as e:  # the one place every error becomes a message
        if args.debug:
            raise
        print(f"simplezarr: error: {_one_line(e)}", file=sys.stderr)
        return 1
