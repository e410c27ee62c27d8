"""khepri_db's import graph, read from the source with ``ast`` (issue 23): no import cycle runs
through ``khepri_db/migrations`` or ``khepri_db/cli``, and no module there imports another module's
``_private`` name.

Every ``import`` counts, at module level or inside a function (a lazy import closes a cycle as
surely as an eager one, only later); imports under ``if TYPE_CHECKING:`` never run and do not count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support import REPO

PACKAGE = REPO / "khepri_db"
CHECKED = ("khepri_db.migrations", "khepri_db.cli")
"""The packages whose modules these tests hold to the rules."""


@dataclass(frozen=True)
class Import:
    """One imported thing: the module it comes from, the name taken from it (``None`` for the module
    itself), and where the import is."""

    importer: str
    module: str
    name: str | None
    line: int


def _module_names() -> dict[str, Path]:
    """Every module of khepri_db by dotted name (a package by its own name, for its ``__init__``)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _runtime_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements under ``node`` that run, skipping ``if TYPE_CHECKING:`` bodies."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for other in child.orelse:
                yield from _runtime_nodes(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _runtime_nodes(child)


def _imports(modules: dict[str, Path]) -> list[Import]:
    """Every runtime import of a khepri_db module by another (or by itself), resolved to a module:
    ``from khepri_db.cli import common`` imports the module ``khepri_db.cli.common``,
    ``from khepri_db.cli.common import out`` the name ``out`` of it."""
    found = []
    for importer, path in modules.items():
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [Import(importer, a.name, None, node.lineno) for a in node.names if a.name in modules]
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base not in modules:
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.append(Import(importer, submodule, None, node.lineno))
                else:
                    found.append(Import(importer, base, alias.name, node.lineno))
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` that hold a cycle (two modules or more, or one
    that imports itself), each sorted (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    components.append(sorted(component))
    return components


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for item in _imports(_module_names()):
        graph.setdefault(item.importer, set()).add(item.module)
    return graph


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import() -> None:
    # The reader sees imports inside functions (each CLI command imports its face when it runs), and
    # the cycle finder finds a two-module cycle and nothing in a chain.
    graph = _graph()
    assert "khepri_db.migrations.apply" in graph["khepri_db.cli.migrate"]  # imported inside migrate_cmd
    assert _cycles({"a": {"b"}, "b": {"a", "c"}, "c": set()}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_in_the_package() -> None:
    # every module of khepri_db, lazy imports included (issue 23: "no import cycle")
    assert _cycles(_graph()) == []


def test_no_module_in_migrations_or_cli_imports_another_modules_private_name() -> None:
    private = [
        f"{i.importer}:{i.line}: {i.name} from {i.module}"
        for i in _imports(_module_names())
        if i.importer.startswith(CHECKED)
        and i.name is not None
        and i.name.startswith("_")
        and not i.name.startswith("__")
        and i.module != i.importer
    ]

    assert private == []


def test_no_cli_command_module_imports_another() -> None:
    # khepri_db/cli/__init__.py's rule: a command's module is all `khepri-db <command>` loads of the CLI
    # besides _app, common and render, so no command module reaches into another's.
    from khepri_db.cli import _GROUP_MODULES

    commands = {f"khepri_db.cli.{name}" for name in _GROUP_MODULES}
    sideways = [
        f"{i.importer}:{i.line}: {i.module}"
        for i in _imports(_module_names())
        if i.importer in commands and i.module in commands and i.module != i.importer
    ]

    assert len(commands) == len(_GROUP_MODULES)
    assert commands <= set(_module_names())
    assert sideways == []


def _face(module: str) -> str:
    """The subpackage a module belongs to (``khepri_db.doctor`` for ``khepri_db.doctor._facts``),
    or the module itself at the top (``khepri_db.__main__``)."""
    return ".".join(module.split(".")[:2])


def test_no_module_imports_another_packages_private_module_or_name() -> None:
    # Across khepri_db's subpackages only public names of public modules are imported: a face's
    # `_private` modules and names are its own (issue 23). Within one subpackage they may be shared.
    crossing = [
        f"{i.importer}:{i.line}: {i.module}{'.' + i.name if i.name else ''}"
        for i in _imports(_module_names())
        if _face(i.importer) != _face(i.module)
        and (
            any(part.startswith("_") and not part.startswith("__") for part in i.module.split(".")[1:])
            or (i.name is not None and i.name.startswith("_") and not i.name.startswith("__"))
        )
    ]

    assert crossing == []


def test_no_test_module_imports_another_test_module_or_conftest() -> None:
    """Tests share helpers through ``tests/support/`` only (issue 23): no module under ``tests/``
    imports a test module (``test_*``) or ``conftest``, at module level or inside a function."""
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                names = [f"{node.module or ''}.{alias.name}" for alias in node.names]
            for name in names:
                if any(part.startswith("test_") or part == "conftest" for part in name.split(".")):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {name}")
    assert offenders == []
