"""The package's imports only go down: a layer table, and no cycle between modules.

Every ``import`` in the package counts, function-level ones included (a function-level import
that goes up is still a dependency on a higher layer); imports under ``if TYPE_CHECKING:`` do
not, as they never run. A new top-level module or subpackage must be given a layer here.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "simplezarr"

#: Lowest first. A unit (a top-level module or subpackage) may import only units of lower
#: layers, and any module of its own unit.
LAYERS: list[set[str]] = [
    {"errors", "_native"},
    {"config", "named"},
    {
        "dtypes",
        "chunk_keys",
        "byte_window",
        "fill",
        "concurrency",
        "indexing",
        "chunk_cache",
        "native",
    },
    {"codecs", "stores", "chunk_grid"},  # chunk_grid: grids of indexing's axes
    {"metadata"},
    {"engine"},
    {"pipeline"},  # zarr-python's codec pipeline: the engine under zarr-python's arrays
    {"nodes"},
    {"storage", "experimental"},  # zarr-python's zarr.storage and zarr.experimental
    {"api", "dtype"},  # zarr-python's top-level functions and zarr.dtype
    {"__init__"},  # the package's own namespace
    # Integrations, which the package never imports: they import it.
    {"dask", "xarray", "cli"},
    {"__main__"},  # python -m simplezarr: runs the command-line tool
]
LAYER_OF = {unit: i for i, units in enumerate(LAYERS) for unit in units}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skip


def _targets(module: str, node: ast.Import | ast.ImportFrom, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = module
        if node.level:
            parts = module.split(".")
            if not is_package:
                parts = parts[:-1]
            base = ".".join(parts[: len(parts) - (node.level - 1)] + [node.module or ""])
            base = base.rstrip(".")
        else:
            base = node.module or ""
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    out = []
    for name in names:
        if not name.startswith("simplezarr"):
            continue
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name != module:
            out.append(name)
    return out


def _edges() -> dict[str, set[tuple[str, int]]]:
    edges: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skip:
                for target in _targets(module, node, path.name == "__init__.py"):
                    edges[module].add((target, node.lineno))
    return edges


EDGES = _edges()


def test_every_unit_has_a_layer() -> None:
    missing = sorted({_unit(m) for m in MODULES} - set(LAYER_OF))
    assert not missing, f"give these modules a layer in LAYERS: {missing}"


def test_imports_only_go_down() -> None:
    upward = []
    for module, targets in EDGES.items():
        for target, line in targets:
            src, dst = _unit(module), _unit(target)
            if src != dst and dst != "__init__" and LAYER_OF[dst] >= LAYER_OF[src]:
                upward.append(f"{module}:{line} imports {target}")
            if dst == "__init__" and src != "__init__":
                upward.append(f"{module}:{line} imports the package namespace")
    assert not upward, "imports that go up or sideways:\n" + "\n".join(sorted(upward))


def test_no_cycle_between_modules() -> None:
    graph = {m: {t for t, _ in EDGES.get(m, ())} for m in MODULES}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                return stack[stack.index(t) :] + [t]
            if t not in state and (cycle := visit(t)) is not None:
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (cycle := visit(m)) is not None:
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_the_checker_sees_function_level_imports(tmp_path: Path) -> None:
    source = "def f():\n    from simplezarr.api import arrays\n"
    tree = ast.parse(source)
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom))
    assert _targets("simplezarr.nodes.group", node, False) == ["simplezarr.api.arrays"]
