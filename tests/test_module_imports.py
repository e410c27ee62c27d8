"""khepri_db's import graph, read from the source with ``ast`` (issue 23): no import cycle runs
through ``khepri_db/migrations`` or ``khepri_db/cli``, no module there imports another module's
``_private`` name, and no face imports another face's internals: a face imports another only along an
edge of :data:`FACE_EDGES`, and ``core`` imports no face at all.

Every ``import`` counts, at module level or inside a function (a lazy import closes a cycle as
surely as an eager one, only later); imports under ``if TYPE_CHECKING:`` never run and do not count.

Beside the graph, one fact of each module's own names: none is bound twice at module level (ruff's F811
sees an import or function redefined, not a constant).
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


# -- faces: which subpackage may import which --------------------------------------------------------

CORE = "khepri_db.core"
"""What every face shares: any module may import it, and it imports no face."""
ROOT = "khepri_db"
"""The package itself: its public names, imported on first use through ``importlib`` (which this reader
does not see), so a face takes only ``__version__`` from it."""
FACE_EDGES: dict[tuple[str, str], str] = {
    ("khepri_db.__main__", "khepri_db.cli"): "`python -m khepri_db` is the `khepri-db` command",
    ("khepri_db.cli", "khepri_db.access"): "the front end: `khepri-db access ...`, `verify-access`",
    ("khepri_db.cli", "khepri_db.client"): "the front end: `khepri-db gen types`",
    ("khepri_db.cli", "khepri_db.doctor"): "the front end: `khepri-db doctor`",
    ("khepri_db.cli", "khepri_db.engines"): "the front end: `db start|stop|list|...`, every command's target",
    ("khepri_db.cli", "khepri_db.khepri"): "the front end: `khepri-db demo`",
    ("khepri_db.cli", "khepri_db.migrations"): "the front end: `migrate`, `seed`, `migration ...`, `db reset|dump`",
    ("khepri_db.cli", "khepri_db.testing"): "the front end: `khepri-db test ...`, `cron run`",
    ("khepri_db.testing", "khepri_db.access"): "the pytest plugin composes faces: the access matrix as tests",
    ("khepri_db.testing", "khepri_db.engines"): "the pytest plugin composes faces: the server a session starts",
    ("khepri_db.testing", "khepri_db.migrations"): "the pytest plugin composes faces: the migrated, seeded template",
    ("khepri_db.khepri", "khepri_db.client"): "the Khepri client is a generated client: it runs on the client runtime",
    ("khepri_db.doctor", "khepri_db.migrations.status"): "drift rules read the migration face's public status",
    ("khepri_db.doctor", "khepri_db.migrations.files"): "drift rules read the local migrations as migrate reads them",
    ("khepri_db.doctor", "khepri_db.migrations.history"): "drift rules read the history table as migrate writes it",
    ("khepri_db.migrations", "khepri_db.engines"): "hints name the stand-ins that need a compiler; `db dump` runs the "
    "embedded engine's pg_dump",
    ("khepri_db.policy", "khepri_db.testing"): "deprecated old names, for one release: the plugin's old module",
}  # fmt: skip
"""The imports allowed between faces, each with its reason, as (importer's face, imported face or module):
a face names every module of the imported face (its public ones: private modules are refused by the test
above), a dotted module only that module."""


def _face_violations(imports: list[Import]) -> tuple[list[str], set[tuple[str, str]]]:
    """The imports that cross faces off :data:`FACE_EDGES` (``module:line: imports name``), and the edges
    used."""
    refused, used = [], set()
    for i in imports:
        source, target = _face(i.importer), _face(i.module)
        imported = f"{i.module}.{i.name}" if i.name else i.module
        if source == target or (target == CORE and source != CORE):
            continue
        if target == ROOT and i.name == "__version__" and source != CORE:
            continue
        edge = next((e for e in ((source, i.module), (source, target)) if e in FACE_EDGES), None)
        if edge is None or source == CORE:
            refused.append(f"{i.importer}:{i.line}: imports {imported}")
        else:
            used.add(edge)
    return refused, used


def test_the_face_rule_refuses_what_no_edge_allows() -> None:
    # The checker itself, on imports made up for it: core importing a face, a face reaching sideways, a
    # module of a face beyond the one allowed edge, and a lazy public name of the root are refused.
    made_up = [
        Import("khepri_db.core.request", "khepri_db.access.session", "create_user", 3),
        Import("khepri_db.khepri.demo", "khepri_db.access.session", "as_user", 19),
        Import("khepri_db.doctor._facts", "khepri_db.migrations.apply", "migrate", 50),
        Import("khepri_db.client.calls", "khepri_db", "migrate", 7),
        Import("khepri_db.doctor._facts", "khepri_db.migrations.status", "compare_kept", 56),
        Import("khepri_db.migrations.history", "khepri_db", "__version__", 14),
        Import("khepri_db.access._runner", "khepri_db.core.session", None, 16),
    ]
    refused, used = _face_violations(made_up)

    assert refused == [
        "khepri_db.core.request:3: imports khepri_db.access.session.create_user",
        "khepri_db.khepri.demo:19: imports khepri_db.access.session.as_user",
        "khepri_db.doctor._facts:50: imports khepri_db.migrations.apply.migrate",
        "khepri_db.client.calls:7: imports khepri_db.migrate",
    ]
    assert used == {("khepri_db.doctor", "khepri_db.migrations.status")}


def test_a_face_imports_another_only_along_an_allowed_edge() -> None:
    # issue 23: "no face imports another face's internals"; what several faces share lives in core,
    # which imports no face. Lazy imports count; every allowed edge is still used.
    refused, used = _face_violations(_imports(_module_names()))

    assert refused == []
    assert sorted(set(FACE_EDGES) - used) == [], "allowed edges no module uses: drop them from FACE_EDGES"


def _rebound(tree: ast.Module) -> dict[str, list[int]]:
    """Module-level names bound more than once (assignments, annotated assignments, functions,
    classes; ``__all__`` aside) -> the lines binding them."""
    lines: dict[str, list[int]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        else:
            names = []
        for name in names:
            lines.setdefault(name, []).append(node.lineno)
    return {name: at for name, at in lines.items() if len(at) > 1 and name != "__all__"}


def test_the_rebinding_check_sees_a_constant_bound_twice() -> None:
    tree = ast.parse("_UUID = 2950\n\ndef f(): ...\n\n_UUID = re.compile('x')\n__all__ = []\n__all__ += []\n")
    assert _rebound(tree) == {"_UUID": [1, 5]}


def test_no_module_binds_a_top_level_name_twice() -> None:
    # the second binding silently wins: a type-oid constant of access/_owner_calls named like the
    # module's uuid regex further down made every uuid column unseen (caught by a test, 2026-12-07); every
    # module (the tests' and benchmarks' too: a test function defined twice is a test that never runs)
    paths = [p for folder in (PACKAGE, REPO / "tests", REPO / "benchmarks") for p in sorted(folder.rglob("*.py"))]
    found = {
        str(path.relative_to(REPO)): rebound
        for path in paths
        if (rebound := _rebound(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}
