"""``simplezarr info``, ``ls`` and ``tree``: what a store holds."""

from __future__ import annotations

import argparse
import json
from typing import Any, cast

from simplezarr import engine
from simplezarr.api.consolidated import is_consolidated
from simplezarr.cli.common import add_path_option, add_store_options, open_node, storage_options
from simplezarr.nodes import ZarrArray, ZarrGroup, ZarrNode

__all__ = ["add_parsers", "describe"]


def add_parsers(commands: Any) -> None:
    p = commands.add_parser(
        "info",
        help="an array's or group's metadata, sizes, chunks stored and compression ratio",
        description="Show the metadata, sizes, stored chunks and compression ratio of the "
        "array or group at PATH (for a group: totals over every array below it).",
    )
    p.add_argument("path", metavar="PATH", help="a directory, .zip file or URL")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_path_option(p)
    add_store_options(p)
    p.set_defaults(run=run_info)
    p = commands.add_parser(
        "ls",
        help="the children of a group",
        description="List the arrays and groups directly in the group at PATH.",
    )
    p.add_argument("path", metavar="PATH")
    add_path_option(p)
    add_store_options(p)
    p.set_defaults(run=run_ls)
    p = commands.add_parser(
        "tree",
        help="a hierarchy as a tree",
        description="Draw the hierarchy below the group at PATH.",
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--depth", type=int, default=None, help="levels to show (default: all)")
    add_path_option(p)
    add_store_options(p)
    p.set_defaults(run=run_tree)


def _ratio(nbytes: int, stored: int) -> float | None:
    return round(nbytes / stored, 2) if stored else None


def describe(node: ZarrNode) -> dict[str, Any]:
    """The facts ``info`` shows, as JSON-ready values.

    Example:
        >>> import numpy as np, simplezarr as zarr
        >>> a = zarr.create_array({}, data=np.zeros(100, "u1"), chunks=(50,), compressors=None,
        ...                       fill_value=1)
        >>> d = describe(a)
        >>> d["shape"], d["chunks_stored"], d["nchunks"], d["bytes"]
        ([100], 2, 2, 100)
    """
    if isinstance(node, ZarrArray):
        meta = node.metadata
        doc = meta.to_json()
        stored = node.nbytes_stored()
        out: dict[str, Any] = {
            "node_type": "array",
            "zarr_format": meta.zarr_format,
            "shape": list(node.shape),
            "dtype": str(node.dtype),
            "chunks": list(node.chunks),
            "shards": list(node.shards) if node.shards else None,
            "fill_value": doc.get("fill_value"),
        }
        if meta.zarr_format == 3:
            out["codecs"] = doc.get("codecs")
            out["dimension_names"] = doc.get("dimension_names")
        else:
            out["filters"], out["compressor"] = doc.get("filters"), doc.get("compressor")
            out["order"] = doc.get("order")
        if node.shards:
            out["nshards"] = node._io.grid.nchunks
            out["shards_stored"] = len(engine.stored_chunks(node._io))
        out.update(
            attributes=len(node.attrs),
            nchunks=node.nchunks,
            chunks_stored=node.nchunks_initialized,
            bytes=node.nbytes,
            bytes_stored=stored,
            compression_ratio=_ratio(node.nbytes, stored),
        )
        return out
    return _describe_group(cast(ZarrGroup, node))


def _describe_group(node: ZarrGroup) -> dict[str, Any]:
    members = [m for _, m in node.members(max_depth=None)]
    arrays = [m for m in members if isinstance(m, ZarrArray)]
    nbytes = sum(a.nbytes for a in arrays)
    stored = sum(a.nbytes_stored() for a in arrays)
    return {
        "node_type": "group",
        "zarr_format": node.zarr_format,
        "attributes": len(node.attrs),
        "arrays": len(arrays),
        "groups": len(members) - len(arrays),
        "chunks_stored": sum(a.nchunks_initialized for a in arrays),
        "bytes": nbytes,
        "bytes_stored": stored,
        "compression_ratio": _ratio(nbytes, stored),
        "consolidated": is_consolidated(node),
    }


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{n:,} B" if unit == "B" else f"{n:,} B ({size:.1f} {unit})"
        size /= 1024
    return f"{n:,} B"  # pragma: no cover - the loop returns


def _text(facts: dict[str, Any]) -> str:
    width = max(len(k) for k in facts)
    lines = []
    for key, value in facts.items():
        if key in ("bytes", "bytes_stored"):
            shown = _human(value)
        elif isinstance(value, list | dict) or value is None:
            shown = json.dumps(value)
        else:
            shown = str(value)
        lines.append(f"{key:<{width}} : {shown}")
    return "\n".join(lines)


def run_info(args: argparse.Namespace) -> int:
    with open_node(args.path, storage_options(args.storage_option), args.client, args.node) as node:
        facts = describe(node)
    print(json.dumps(facts, indent=2) if args.json else _text(facts))
    return 0


def run_ls(args: argparse.Namespace) -> int:
    with open_node(args.path, storage_options(args.storage_option), args.client, args.node) as node:
        if isinstance(node, ZarrArray):
            print(f". array {node.shape} {node.dtype}")
            return 0
        for name, child in cast(ZarrGroup, node).members(max_depth=0):
            if isinstance(child, ZarrArray):
                print(f"{name}  array {child.shape} {child.dtype}")
            else:
                print(f"{name}/  group")
    return 0


def run_tree(args: argparse.Namespace) -> int:
    with open_node(args.path, storage_options(args.storage_option), args.client, args.node) as node:
        if isinstance(node, ZarrArray):
            print(f"/ array {node.shape} {node.dtype}")
            return 0
        print(str(cast(ZarrGroup, node).tree(level=args.depth)).rstrip("\n"))
    return 0
