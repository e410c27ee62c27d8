"""The runtime section of generated modules: khepri-db's runtime, copied from its own source.

A module written by ``khepri-db gen types`` must not need khepri-db, so it carries the code it
runs: the RPC error classes of :mod:`khepri_db.core.errors`, all of :mod:`khepri_db.core.postgrest`,
:mod:`khepri_db.client.values` and :mod:`khepri_db.client.calls` (:data:`PARTS`), copied from their
source text here, at generation time, between two delimiting comments. That code is written once, in those modules;
generated modules, the checked-in ``khepri_db/khepri/types.py`` among them, hold copies that
``gen types`` writes and ``gen types --check`` (and, for ours, the tests) keep current.

How a part is copied: its module docstring, ``__future__`` import and ``__all__`` are left out; its
top-level imports become the generated module's (merged with what the generated code needs, kept
only when the copied code uses them, sorted as ruff's isort sorts them); its imports from
``khepri_db`` are left out, and must name only what an earlier part defines; ``if TYPE_CHECKING:``
blocks of imports are merged into one; everything else is copied verbatim, comments included (a
part listed with names: only the classes, functions and assignments of those names).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

Import = tuple[str, str | None, str | None]
"""``(module, name, alias)``: ``import module as alias`` when ``name`` is ``None``, else
``from module import name`` (``alias`` must then be ``None``)."""

_RPC_ERRORS = ("KhepriError", "RpcError", "BadRequestError", "UnauthorizedError", "ForbiddenError", "NotFoundError",
               "ConflictError", "ServiceUnavailableError", "ServerError")  # fmt: skip

PARTS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("khepri_db.core.errors", _RPC_ERRORS),
    ("khepri_db.core.postgrest", None),
    ("khepri_db.client.values", None),
    ("khepri_db.client.calls", None),
)
"""The modules the runtime section copies, in order, each whole (``None``) or only the named
definitions."""

WIDTH = 88
"""The line width of the section and of import lines (``ruff format``'s default)."""

OPENING = "# == khepri-db runtime ".ljust(WIDTH, "=")
CLOSING = "# == end of the khepri-db runtime ".ljust(WIDTH, "=")

_ABOUT = (
    "Copied by `khepri-db gen types` from khepri-db's khepri_db/core/errors.py (the RPC errors), "
    "khepri_db/core/postgrest.py, khepri_db/client/values.py and khepri_db/client/calls.py, so that this "
    "module needs no khepri-db: "
    "pydantic at import time, and psycopg or supabase-py for the RPC calls that go through them. "
    "Do not edit: regenerate."
)


@dataclass(frozen=True)
class RuntimeSection:
    """The runtime section, ready to be written after a module's imports.

    Attributes:
        text: from the opening to the closing comment (no blank line around).
        imports: the top-level imports the section's code uses.
        names: every name the section binds at module level (definitions, imports, and the
            imports of its ``if TYPE_CHECKING:`` block): generated names must avoid them.
    """

    text: str
    imports: frozenset[Import]
    names: frozenset[str]


@functools.cache
def runtime_section() -> RuntimeSection:
    """Build the section from the source of :data:`PARTS` (once per process).

    Raises:
        RuntimeError: a part imports from ``khepri_db`` a name no earlier part defines, or has a
            ``TYPE_CHECKING`` import from ``khepri_db`` (the section would not work without it).
    """
    chunks: list[str] = []
    imports: set[Import] = set()
    checking: set[Import] = set()
    names: set[str] = set()
    for module_name, wanted in PARTS:
        source = inspect.getsource(importlib.import_module(module_name))
        chunk, part_imports, part_checking, part_names = _copy_part(module_name, source, wanted, names)
        chunks.append(chunk)
        imports |= part_imports
        checking |= part_checking
        names |= part_names
    body = "\n\n\n".join(chunks)
    used = {node.id for node in ast.walk(ast.parse(body)) if isinstance(node, ast.Name)}
    imports = {i for i in imports if _bound(i) in used}
    checking = {i for i in checking if _bound(i) in used and i not in imports}
    about = _wrap_comment(_ABOUT)
    head = [OPENING, *about, ""]
    if checking:
        head += ["if TYPE_CHECKING:", *render_imports(checking, indent="    "), "", ""]
        imports.add(("typing", "TYPE_CHECKING", None))
    text = "\n".join(head) + "\n" + body + "\n\n\n" + CLOSING
    names |= {_bound(i) for i in imports | checking}
    return RuntimeSection(text, frozenset(imports), frozenset(names))


def _copy_part(
    module_name: str, source: str, wanted: tuple[str, ...] | None, defined: set[str]
) -> tuple[str, set[Import], set[Import], set[str]]:
    """The copied text of one part, its imports, its ``TYPE_CHECKING`` imports and the names it binds."""
    lines = source.splitlines()
    tree = ast.parse(source)
    imports: set[Import] = set()
    checking: set[Import] = set()
    names: set[str] = set()
    pieces: list[str] = []
    previous_end = 0  # 1-based last line of the previous top-level statement
    for index, node in enumerate(tree.body):
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        skip = True
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            pass  # the module docstring
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imports |= _imports(module_name, node, defined)
        elif _is_type_checking_imports(node):
            assert isinstance(node, ast.If)
            for inner in node.body:
                assert isinstance(inner, ast.Import | ast.ImportFrom)
                if _is_khepri(inner):
                    raise RuntimeError(f"{module_name}: a TYPE_CHECKING import from khepri_db cannot be copied")
                checking |= _imports(module_name, inner, defined)
        elif _binds(node) == {"__all__"}:
            pass
        elif wanted is None or _binds(node) & set(wanted):
            skip = False
        if not skip:
            # Whole modules keep the comments between statements; named definitions only their own lines.
            first = previous_end + 1 if wanted is None and pieces else start
            pieces.append("\n".join(lines[first - 1 : node.end_lineno]))
            names |= _binds(node)
        previous_end = node.end_lineno or node.lineno
    if wanted is not None and not set(wanted) <= names:
        raise RuntimeError(f"{module_name} defines no {', '.join(sorted(set(wanted) - names))}")
    separator = "\n" if wanted is None else "\n\n\n"
    return separator.join(pieces).strip("\n"), imports, checking, names


def _is_khepri(node: ast.Import | ast.ImportFrom) -> bool:
    modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    return any(m == "khepri_db" or m.startswith("khepri_db.") for m in modules)


def _imports(module_name: str, node: ast.Import | ast.ImportFrom, defined: set[str]) -> set[Import]:
    if _is_khepri(node):
        missing = {a.asname or a.name for a in node.names} - defined
        if isinstance(node, ast.Import) or missing:
            raise RuntimeError(
                f"{module_name}: imports {', '.join(sorted(missing)) or 'a module'} from khepri_db, which the "
                "runtime section does not carry (import only names an earlier part of PARTS defines)"
            )
        return set()
    if isinstance(node, ast.Import):
        return {(a.name, None, a.asname) for a in node.names}
    if node.module == "__future__":
        return set()
    if any(a.asname for a in node.names) or node.level:
        raise RuntimeError(f"{module_name}: `from ... import ... as ...` and relative imports cannot be copied")
    return {(node.module or "", a.name, None) for a in node.names}


def _is_type_checking_imports(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        and not node.orelse
        and all(isinstance(inner, ast.Import | ast.ImportFrom) for inner in node.body)
    )


def _binds(node: ast.stmt) -> set[str]:
    """The module-level names a top-level statement binds (also inside ``if``/``else``)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    if isinstance(node, ast.If):
        return {name for inner in [*node.body, *node.orelse] for name in _binds(inner)}
    return set()


def _bound(item: Import) -> str:
    module, name, alias = item
    return name if name is not None else alias or module.split(".")[0]


def _wrap_comment(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)


def _member_key(name: str) -> tuple[int, str]:
    """ruff's isort order within ``from m import ...`` (``order-by-type``): CONSTANTS, Classes, others."""
    if len(name) > 1 and name.isupper():
        return (0, name)
    return (1, name.lower()) if name[:1].isupper() else (2, name.lower())


def render_imports(imports: Iterable[Import], *, indent: str = "") -> list[str]:
    """Import statements as ruff's isort writes them with its default settings (and ours):
    ``__future__``, the standard library, then third-party packages, a blank line between the
    sections; in each, ``import x`` lines before ``from x import ...`` lines, modules in
    alphabetical order; a ``from`` line longer than :data:`WIDTH` wrapped one name a line, with a
    trailing comma (kept wrapped at any width).

    Args:
        imports: ``(module, name, alias)`` tuples (:data:`Import`).
        indent: put before every line (inside an ``if TYPE_CHECKING:`` block).

    Returns:
        The lines, without a trailing blank line.
    """
    sections: dict[int, list[Import]] = {0: [], 1: [], 2: []}
    for item in set(imports):
        top = item[0].split(".")[0]
        sections[0 if top == "__future__" else 1 if top in sys.stdlib_module_names else 2].append(item)
    lines: list[str] = []
    for items in sections.values():
        if not items:
            continue
        if lines:
            lines.append("")
        straight = sorted((i for i in items if i[1] is None), key=lambda i: (i[0].lower(), i[2] or ""))
        for module, _, alias in straight:
            lines.append(f"{indent}import {module}" + (f" as {alias}" if alias else ""))
        by_module: dict[str, list[str]] = {}
        for module, name, _ in items:
            if name is not None:
                by_module.setdefault(module, []).append(name)
        for module in sorted(by_module, key=str.lower):
            members = sorted(set(by_module[module]), key=_member_key)
            line = f"{indent}from {module} import {', '.join(members)}"
            if len(line) <= WIDTH:
                lines.append(line)
            else:
                lines += [f"{indent}from {module} import (", *(f"{indent}    {m}," for m in members), f"{indent})"]
    return lines
