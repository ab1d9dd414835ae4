"""The package's layers point one way: a small AST check over every module of ``ngheo_cli``.

core → only core (and ``errors``, the package root, stdlib and third-party); io → core, io;
services → core, io, services; batch → services and below; sample (demo data) → core, io;
cli → anything. Every import counts: at module level, inside functions, under TYPE_CHECKING,
and ``importlib.import_module("ngheo_cli…")`` with a literal name. ``errors`` and the package
root (``__version__``) import nothing of ours and every layer may import them.

Run it alone: ``python -m pytest -q tests/unit/test_layering.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "ngheo_cli"

# Layer → the layers its modules may import. A top-level part of the package that is not
# here is itself a violation: a new sub-package must say where it stands.
BASE = frozenset({"errors", "<root>"})
ALLOWED: Mapping[str, frozenset[str]] = {
    "<root>": frozenset(),
    "errors": frozenset(),
    "core": BASE | {"core"},
    "io": BASE | {"core", "io"},
    "services": BASE | {"core", "io", "services"},
    "batch": BASE | {"core", "io", "services", "batch"},
    "sample": BASE | {"core", "io", "sample"},
    "cli": BASE | {"core", "io", "services", "batch", "sample", "cli"},
    "__main__": BASE | {"cli"},
}

# (importing module, imported module) → why it is tolerated for now. Each entry must still be
# present in the code: a fixed violation left here fails the test, so the list only shrinks.
KNOWN_EXCEPTIONS: Mapping[tuple[str, str], str] = {
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted (ngheo_cli.* only)
    line: int
    path: Path


@dataclass(frozen=True)
class Violation:
    imp: Import
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.imp.path}:{self.imp.line}: {self.imp.module} → {self.imp.target}: {self.reason}"
        )


def module_name(path: Path, package_dir: Path) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str, root: str) -> str:
    parts = module.split(".")
    if parts[0] != root:
        raise ValueError(f"{module} is not in {root}")
    return parts[1] if len(parts) > 1 else "<root>"


def _is_package(module: str, package_dir: Path) -> bool:
    rel = Path(*module.split(".")[1:]) if "." in module else Path()
    base = package_dir / rel
    return base.is_dir() or base.with_suffix(".py").is_file()


def _resolve_from(node: ast.ImportFrom, module: str, is_init: bool) -> str | None:
    if node.level == 0:
        return node.module
    package = module.split(".") if is_init else module.split(".")[:-1]
    if node.level > 1:
        package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def imports_of(path: Path, package_dir: Path) -> Iterator[Import]:
    """Every import of an ``ngheo_cli`` module in one file, wherever it stands in the file."""
    root = package_dir.name
    module = module_name(path, package_dir)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == root or alias.name.startswith(root + "."):
                    yield Import(module, alias.name, node.lineno, path)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(node, module, path.name == "__init__.py")
            if not base or not (base == root or base.startswith(root + ".")):
                continue
            for alias in node.names:
                # `from ngheo_cli.core import summary` imports ngheo_cli.core.summary.
                candidate = f"{base}.{alias.name}"
                target = candidate if _is_package(candidate, package_dir) else base
                yield Import(module, target, node.lineno, path)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in {"import_module", "__import__"} and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    if arg.value == root or arg.value.startswith(root + "."):
                        yield Import(module, arg.value, node.lineno, path)


def check(
    package_dir: Path,
    allowed: Mapping[str, frozenset[str]] = ALLOWED,
    known: Mapping[tuple[str, str], str] = KNOWN_EXCEPTIONS,
) -> list[Violation]:
    """Every import that crosses the layers the wrong way, and every stale known exception."""
    root = package_dir.name
    violations: list[Violation] = []
    seen_known: set[tuple[str, str]] = set()
    for path in sorted(package_dir.rglob("*.py")):
        for imp in dict.fromkeys(imports_of(path, package_dir)):
            source, target = layer_of(imp.module, root), layer_of(imp.target, root)
            if source not in allowed:
                violations.append(Violation(imp, f"'{source}' is not a declared layer"))
                continue
            if target in allowed[source]:
                continue
            if (imp.module, imp.target) in known:
                seen_known.add((imp.module, imp.target))
                continue
            violations.append(Violation(imp, f"'{source}' may not import from '{target}'"))
    for pair in sorted(set(known) - seen_known):
        stale = Import(pair[0], pair[1], 0, package_dir)
        violations.append(
            Violation(stale, "listed in KNOWN_EXCEPTIONS but no longer imported: remove it")
        )
    return violations


def import_cycles(package_dir: Path) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (any import counts,
    TYPE_CHECKING ones too: a type-only loop is still two modules that cannot be read apart)."""
    graph: dict[str, set[str]] = {}
    for path in package_dir.rglob("*.py"):
        for imp in imports_of(path, package_dir):
            graph.setdefault(imp.module, set())
            if imp.target != imp.module:
                graph[imp.module].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_layers_point_one_way() -> None:
    violations = check(PACKAGE_DIR)
    assert not violations, "imports against the layers:\n" + "\n".join(map(str, violations))


def test_every_top_level_part_of_the_package_is_a_declared_layer() -> None:
    parts = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE_DIR.iterdir()
        if (p.is_file() and p.suffix == ".py" and p.name != "__init__.py")
        or (p.is_dir() and (p / "__init__.py").is_file())
    }
    assert parts <= set(ALLOWED), sorted(parts - set(ALLOWED))


def test_no_module_imports_itself_round_a_loop() -> None:
    assert import_cycles(PACKAGE_DIR) == []


# --- the checker itself, on a made-up package ----------------------------------------------


def _tree(tmp_path: Path, files: Mapping[str, str]) -> Path:
    package = tmp_path / "pkg"
    for rel, text in {"__init__.py": "", **files}.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        init = path.parent / "__init__.py"
        if not init.exists():
            init.write_text("", encoding="utf-8")
    return package


def _messages(violations: list[Violation]) -> list[str]:
    return [f"{v.imp.module} → {v.imp.target}" for v in violations]


def test_checker_accepts_imports_down_the_layers(tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {
            "errors.py": "",
            "core/rules.py": "import numpy\nfrom pkg.errors import X\nfrom pkg import __version__",
            "io/store.py": "from pkg.core.rules import r\nfrom pkg.io import other\n",
            "io/other.py": "",
            "services/use.py": "from pkg.io.store import s\nfrom pkg.core import rules\n",
            "cli/app.py": "from pkg.services.use import u\nfrom pkg.batch import run\n",
            "batch/run.py": "from . import plan\nfrom .plan import p\n",
            "batch/plan.py": "from ..services.use import u\n",
        },
    )
    assert check(package, known={}) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a plain module-level import up the layers
        ({"core/rules.py": "from pkg.io.store import s\n"}, ["pkg.core.rules → pkg.io.store"]),
        # `import a.b` form
        ({"core/rules.py": "import pkg.cli.app\n"}, ["pkg.core.rules → pkg.cli.app"]),
        # inside a function body
        (
            {"io/store.py": "def f():\n    from pkg.services.use import u\n    return u\n"},
            ["pkg.io.store → pkg.services.use"],
        ),
        # under TYPE_CHECKING
        (
            {
                "io/store.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                "    from pkg.services.use import Result\n"
            },
            ["pkg.io.store → pkg.services.use"],
        ),
        # `from pkg.layer import module`
        ({"core/rules.py": "from pkg.io import store\n"}, ["pkg.core.rules → pkg.io.store"]),
        # relative, two levels up
        ({"core/sub/deep.py": "from ...cli import app\n"}, ["pkg.core.sub.deep → pkg.cli.app"]),
        # services may not reach batch or cli
        (
            {"services/use.py": "from pkg.batch.run import r\n"},
            ["pkg.services.use → pkg.batch.run"],
        ),
        # demo data sits on core and io only
        (
            {"sample/gen.py": "from pkg.services import use\n"},
            ["pkg.sample.gen → pkg.services.use"],
        ),
        # io may not import the demo data
        ({"io/store.py": "from pkg.sample.gen import g\n"}, ["pkg.io.store → pkg.sample.gen"]),
        # importlib with a literal name
        (
            {"core/rules.py": "import importlib\nm = importlib.import_module('pkg.io.store')\n"},
            ["pkg.core.rules → pkg.io.store"],
        ),
        # an undeclared sub-package
        ({"plugins/x.py": "from pkg.core import rules\n"}, ["pkg.plugins.x → pkg.core.rules"]),
    ],
)
def test_checker_finds_an_import_against_the_layers(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    base = {
        "errors.py": "",
        "core/rules.py": "",
        "io/store.py": "",
        "services/use.py": "",
        "batch/run.py": "",
        "sample/gen.py": "",
        "cli/app.py": "",
    }
    package = _tree(tmp_path, {**base, **files})
    assert _messages(check(package, known={})) == expected


def test_known_exception_is_tolerated_and_a_stale_one_fails(tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {"core/rules.py": "", "io/store.py": "from pkg.cli.app import a\n", "cli/app.py": ""},
    )
    pair = ("pkg.io.store", "pkg.cli.app")
    assert check(package, known={pair: "moved soon"}) == []
    (package / "io/store.py").write_text("", encoding="utf-8")
    stale = check(package, known={pair: "moved soon"})
    assert len(stale) == 1 and "no longer imported" in stale[0].reason


def test_cycle_check_finds_a_loop_through_type_checking(tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {
            "core/a.py": "from pkg.core.b import B\n",
            "core/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from pkg.core.c import C\n",
            "core/c.py": "def f():\n    from pkg.core import a\n",
            "core/d.py": "from pkg.core import a\n",
        },
    )
    assert import_cycles(package) == [["pkg.core.a", "pkg.core.b", "pkg.core.c"]]
