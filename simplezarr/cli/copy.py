"""``simplezarr copy SRC DST``: copy an array or hierarchy between any two stores,
converting its format, rechunking, resharding or recompressing on the way, resumable."""

from __future__ import annotations

import argparse
from typing import Any

from simplezarr.api.convert import convert
from simplezarr.cli.common import (
    add_path_option,
    add_store_options,
    compressor_for,
    open_store,
    parse_compressor,
    parse_shape,
    parse_shards,
    parse_size,
    storage_options,
)
from simplezarr.cli.progress import MODES, Progress
from simplezarr.nodes import open_zarr
from simplezarr.storage import StorePath, normalize_path

__all__ = ["add_parser", "add_progress_option"]


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        choices=MODES,
        default="auto",
        help="progress on stderr: a bar (tqdm), plain lines, or none (default: a bar when "
        "tqdm is installed, else lines)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display")


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "copy",
        help="copy an array or group to another store (convert, rechunk, recompress)",
        description="Copy the array or group at SRC to DST (a directory, .zip file or URL). "
        "Chunks are copied as stored when nothing changes their encoding, else decoded and "
        "re-encoded; the copy runs in parallel and holds a bounded number of bytes.",
    )
    p.add_argument("src", metavar="SRC")
    p.add_argument("dst", metavar="DST")
    p.add_argument("--zarr-format", type=int, choices=(2, 3), help="the copy's Zarr format")
    p.add_argument("--chunks", type=parse_shape, help="new chunk shape, e.g. 100,100")
    p.add_argument(
        "--shards",
        type=parse_shards,
        default=argparse.SUPPRESS,
        help="new shard shape (Zarr v3), or 'none' to unshard",
    )
    p.add_argument(
        "--compressor",
        type=parse_compressor,
        default=argparse.SUPPRESS,
        help="new compressor: NAME[:key=value,...] (zstd:level=3, blosc:cname=lz4, gzip) or 'none'",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted copy: keep destination chunks that are present and "
        "valid (see docs/cli.md for what is checked)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace what DST already holds")
    p.add_argument(
        "--buffer-size",
        type=parse_size,
        default=None,
        metavar="SIZE",
        help="the most chunk bytes held at once (default 64MiB)",
    )
    add_path_option(p, "--src-path")
    add_path_option(p, "--dst-path")
    add_progress_option(p)
    add_store_options(p, dest=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    src_options = storage_options(args.storage_option)
    dst_options = {**src_options, **storage_options(args.dst_option)}
    source = open_store(args.src, src_options, client=args.client)
    try:
        node = open_zarr(source, args.src_path)
        kws: dict[str, Any] = {"zarr_format": args.zarr_format}
        if args.chunks is not None:
            kws["chunks"] = args.chunks
        if "shards" in vars(args):  # given (None: unshard)
            kws["shards"] = args.shards
        if "compressor" in vars(args):
            fmt = args.zarr_format or node.zarr_format
            kws["compressors"] = compressor_for(args.compressor, fmt)
        if args.buffer_size is not None:
            kws["buffer_bytes"] = args.buffer_size
        dest = open_store(args.dst, dst_options, write=True, client=args.client)
        try:
            mode = "none" if args.quiet else args.progress
            with Progress("copy", mode) as progress:
                report = convert(
                    node,
                    StorePath(dest, normalize_path(args.dst_path)),
                    progress=progress,
                    resume=args.resume,
                    overwrite=args.overwrite,
                    **kws,
                )
        finally:
            _close(dest)
    finally:
        _close(source)
    kept = f", {report.chunks_kept} kept" if args.resume else ""
    print(
        f"copied {report.arrays} array(s) and {report.groups} group(s): "
        f"{report.chunks_copied} stored chunk(s) written{kept}"
    )
    return 0


def _close(store: Any) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        close()
