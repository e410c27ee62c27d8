"""The declared access matrix: what every actor may do with every exposed table and RPC, checked for real.

A project declares in ``supabase/access.toml`` (format: ``docs/access.md``), per table and per
function (RPC), which *actors* may do which *operations*:

* actors: ``anon`` (the anon key, no user), ``owner`` (the signed-in user who owns the row),
  ``other`` (another signed-in user), any declared custom actor such as ``coach`` (a user the
  owner's rows point at, e.g. through an active coach link) or ``admin`` (a user with
  ``app_metadata``), and ``service_role``;
* operations: ``select``, ``insert``, ``update``, ``delete`` on tables, ``execute`` on functions.

:func:`verify_access` builds two owners' worth of rows from the declaration's per-table factories
(``owner`` and ``other`` each get a user, one user per custom actor, and one row per table), then
tries every actor x operation x table inside its own rolled-back savepoint, acting exactly as a
PostgREST request does (:mod:`khepri_db.policy.session`), and compares what happened with what is
declared. Each cell verifies the role switch (not superuser, no BYPASSRLS except service_role, not
the tables' owner) and records the rights it ran with. Everything happens in one transaction that is
rolled back: nothing is left behind (sequences aside, which Postgres never rolls back).

What counts as *allowed* (the target is always the ``owner``'s row of the table):

* ``select``: the statement returns the target row. Zero rows (RLS filtered it) or SQLSTATE 42501
  (no privilege) is *denied*.
* ``insert``: the owner's row is first deleted (by the connecting role, in the savepoint), then the
  actor inserts the factory row again (``insert_row`` if declared): one row inserted is *allowed*;
  42501 (no privilege, or a ``with check`` violation) or zero rows is *denied*.
* ``update``: ``set c = c`` on the ``update_columns`` (default: the row's literal columns) of the
  target row: at least one row updated is *allowed*; zero rows (``using`` filtered it) or 42501 is
  *denied*. When an update is allowed (except for service_role), more probes try to hand the row
  over to every owner the actor could aim at (its reference columns set to that owner's values):
  the other owner; for a custom actor, the actor's own rows and another owner the same actor
  reaches (a second athlete of the same coach); for the owner, an owner they reach as a custom
  actor (an athlete they coach). If any succeeds the cell fails as a *leak*: the ``with check``
  does not pin the owner.
* ``delete``: at least one row deleted is *allowed*; zero rows or 42501 is *denied*.
* ``execute``: the declared ``call`` completes: *allowed*; 42501 (no EXECUTE, or the function
  refusing the caller with insufficient_privilege), or a SQLSTATE the function lists in
  ``denied_sqlstates`` (e.g. P0002 from RPCs that answer "not found" for another user's row), is
  *denied*.

Any other error (a check or foreign-key violation, a syntax error in a snippet) makes the cell an
*error*: the declaration cannot be decided and counts as a failure, with Postgres' message.
"""

from __future__ import annotations

import graphlib
import re
import time
import tomllib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from khepri_db.core.db import connect, redact, require_session_connection
from khepri_db.core.errors import RoleSwitchError, UsageError
from khepri_db.core.project import Project, bundled_path
from khepri_db.doctor.run import EXCLUDED_SCHEMAS, ExposedSchemas, resolve_exposed_schemas
from khepri_db.migrations.compat import TargetInfo, detect
from khepri_db.policy import session as _session

OPERATIONS: tuple[str, ...] = ("select", "insert", "update", "delete")
"""Table operations, in matrix order."""

EXECUTE = "execute"
"""The one function operation."""

BUILTIN_ACTORS: tuple[str, ...] = ("anon", "owner", "other", "service_role")
"""Actors every declaration has; custom actors sit between ``other`` and ``service_role``."""

REFERENCE_ROOTS: tuple[str, ...] = ("user", "run", "row")
"""Reserved first names of ``{...}`` references (besides tables and custom actors)."""

ACCESS_FILE = "access.toml"
"""Default file name, in the project's ``supabase/`` directory."""

_IDENT = r"[A-Za-z_][A-Za-z0-9_$]*"
_REF = re.compile(r"\{(" + _IDENT + r"(?:\." + _IDENT + r")+)\}")
_TABLE_KEY = re.compile(rf"^{_IDENT}(?:\.{_IDENT})?$")
_FUNCTION_KEY = re.compile(rf"^{_IDENT}(?:\.{_IDENT})?(?:\s*\(.*\))?$")
_ACTOR_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_UNREVIEWED_PARTS = ("row", "match", "insert_row", "update_columns")

Outcome = Literal["allowed", "denied", "error", "skipped"]

_API_ROLE = {"anon": "anon", "service_role": "service_role"}
"""The API role of each actor that is not a signed-in user (every other actor is ``authenticated``)."""

_FUNCTIONS = (
    "select p.oid, format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)), "
    "p.pronargs from pg_catalog.pg_proc as p join pg_catalog.pg_namespace as n on n.oid = p.pronamespace "
)


class AccessDeclarationError(UsageError):
    """The access declaration is unreadable or invalid, or does not fit the database (exit 2).

    The message names the file, the line of the section concerned and the key; the hint says what
    to change.
    """


class RowFactoryError(AccessDeclarationError):
    """A table's row factory failed in the database (exit 2).

    Attributes:
        table: the qualified name of the table whose row could not be made.
        reason: Postgres' message (with its SQLSTATE).
    """

    def __init__(
        self,
        message: str,
        *,
        table: str,
        reason: str,
        sqlstate: str | None = None,
        constraint: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.table = table
        self.reason = reason
        self.sqlstate = sqlstate
        self.constraint = constraint


# -- the file format -------------------------------------------------------------------------------


class ActorSpec(BaseModel):
    """``[actors.<name>]``: a custom actor, i.e. one more signed-in user per owner.

    Rows can point at the actor's user with ``{<name>.id}`` (e.g. a coach link's ``coach_user_id``).
    """

    model_config = ConfigDict(extra="forbid")

    description: str = Field("", description="who this actor is, for people reading the matrix")
    app_metadata: dict[str, Any] = Field(
        default_factory=dict, description="extra raw_app_meta_data (server-set: safe for authorisation)"
    )
    user_metadata: dict[str, Any] = Field(default_factory=dict, description="raw_user_meta_data")
    claims: dict[str, Any] = Field(default_factory=dict, description="JWT claims to add or override")
    is_anonymous: bool = Field(False, description="an anonymous sign-in (still role authenticated)")


class TableSpec(BaseModel):
    """``[tables.<name>]``: how to make the owner's row, and who may do what with it."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    row: dict[str, Any] | None = Field(None, description="column -> value of the owner's row (the factory)")
    insert_row: dict[str, Any] | None = Field(None, description="values the insert probe sends (default: row)")
    update_columns: list[str] | None = Field(None, description="columns the update probe sets to themselves")
    match: str | None = Field(None, description="SQL condition finding the target row (default: primary key)")
    shared: bool = Field(False, description="one row for everybody (reference data), not one per owner")
    handover: bool = Field(True, description="probe whether an allowed update can move the row to another owner")
    on_conflict: list[str] | None = Field(
        None,
        description="the columns of a unique key: the factory updates the row that already holds that key (a row a "
        "trigger on auth.users made, such as a profile) instead of failing",
    )
    allow: dict[str, list[str] | Literal["all"]] = Field(default_factory=dict, description="actor -> operations")
    unreviewed: list[str] = Field(
        default_factory=list,
        description="parts written by `khepri-db access init` from what it observed, that nobody has reviewed yet: "
        "row (the factory), an actor (all its cells) or actor:operation (one cell)",
    )


class FunctionSpec(BaseModel):
    """``[functions."<schema.name>"]``: how to call a function, and who may."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    call: str | None = Field(None, description="SQL calling it (default: select <function>() if it takes no args)")
    allow: list[str] = Field(default_factory=list, description="actors that may execute it")
    denied_sqlstates: list[Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{5}$")]] = Field(
        default_factory=list,
        description="SQLSTATEs besides 42501 that mean 'refused' for this function, e.g. P0002 for RPCs that "
        "answer 'not found' rather than reveal that another user's row exists",
    )
    unreviewed: list[str] = Field(
        default_factory=list,
        description="parts written by `khepri-db access init` that nobody has reviewed yet: call, denied_sqlstates, "
        "or an actor (its execute cell)",
    )


class AccessFile(BaseModel):
    """The whole ``access.toml`` document."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    actors: dict[str, ActorSpec] = Field(default_factory=dict)
    tables: dict[str, TableSpec] = Field(default_factory=dict)
    functions: dict[str, FunctionSpec] = Field(default_factory=dict)


@dataclass(frozen=True)
class Reference:
    """A ``{root.column}`` reference inside a value or SQL snippet.

    Attributes:
        text: as written, without braces (``athletes.id``).
        root: ``user``, ``run``, ``row``, a custom actor, or a declared table's qualified name.
        column: the column (or ``id``/``email``/``phone`` of a user) read from the root.
    """

    text: str
    root: str
    column: str


@dataclass(frozen=True)
class TableDeclaration:
    """One validated ``[tables.<key>]`` entry.

    Attributes:
        key: the key as written (``athletes``).
        name: the qualified name (``public.athletes``).
        spec: the parsed entry.
        line: line of its section in the file (``None`` if it cannot be found).
        allowed: actor -> the operations declared allowed.
        depends_on: qualified names of the tables its factory row references.
    """

    key: str
    name: str
    spec: TableSpec
    line: int | None
    allowed: dict[str, frozenset[str]]
    depends_on: frozenset[str]

    @property
    def schema(self) -> str:
        """The schema part of :attr:`name`."""
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        """The table part of :attr:`name`."""
        return self.name.split(".", 1)[1]


@dataclass(frozen=True)
class FunctionDeclaration:
    """One validated ``[functions."<key>"]`` entry.

    Attributes:
        key: the key as written (``public.finalize_onboarding`` or with an argument list).
        name: the qualified name without arguments.
        signature: the argument list when the key has one (``(jsonb, text)``), else ``None``.
        spec: the parsed entry.
        line: line of its section in the file.
    """

    key: str
    name: str
    signature: str | None
    spec: FunctionSpec
    line: int | None

    @property
    def cell_name(self) -> str:
        """The name used in cell ids: :attr:`name`, with the argument list when the key has one."""
        return f"{self.name}{self.signature.replace(' ', '')}" if self.signature else self.name


@dataclass(frozen=True)
class Declaration:
    """A validated access declaration.

    Attributes:
        path: the file it came from.
        actors: every actor in matrix order (built-ins and custom).
        custom_actors: the custom actors' specs, by name.
        tables: table declarations in file order.
        functions: function declarations in file order.
        factory_order: the tables in the order their rows must be made (each after the tables its
            row references), decided by a topological sort, not by file order.
    """

    path: Path
    actors: tuple[str, ...]
    custom_actors: dict[str, ActorSpec]
    tables: tuple[TableDeclaration, ...]
    functions: tuple[FunctionDeclaration, ...]
    factory_order: tuple[TableDeclaration, ...]

    def resolve(self, text: str) -> Reference | None:
        """The :class:`Reference` a ``{text}`` placeholder names, or ``None`` if it names nothing declared."""
        return _resolve_ref(text, {t.name for t in self.tables}, set(self.custom_actors))

    def table(self, name: str) -> TableDeclaration:
        """The declaration of table ``name`` (qualified, or unqualified for ``public``).

        Raises:
            KeyError: not declared.
        """
        qualified = name if "." in name else f"public.{name}"
        for table in self.tables:
            if table.name == qualified:
                return table
        raise KeyError(name)

    def cell_ids(self) -> list[str]:
        """Ids of every cell :func:`verify_access` decides, in report order.

        ``<table>:<actor>:<operation>`` for tables and ``<function>:<actor>:execute`` for functions,
        e.g. ``public.athletes:other:select``. Used by the pytest plugin to parametrize one test per cell.
        """
        ids = [f"{t.name}:{a}:{op}" for t in self.tables for a in self.actors for op in OPERATIONS]
        ids += [f"{f.cell_name}:{a}:{EXECUTE}" for f in self.functions for a in self.actors]
        return ids


def _section_line(lines: Sequence[str], section: str, key: str) -> int | None:
    """1-based line of ``[section.key]`` (quoted or bare), else of the first line naming the key."""
    bare = re.escape(key)
    header = re.compile(rf"^\s*\[\s*{section}\s*\.\s*(?:{bare}|\"{bare}\"|'{bare}')\s*\]")
    for number, line in enumerate(lines, 1):
        if header.match(line):
            return number
    for number, line in enumerate(lines, 1):
        if key in line:
            return number
    return None


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def find_references(text: str) -> list[str]:
    """The ``{a.b}`` references in ``text``, without braces, in order (e.g. ``["athletes.id"]``)."""
    return [m.group(1) for m in _REF.finditer(text)]


def _qualify(key: str) -> str:
    return key if "." in key else f"public.{key}"


def _resolve_ref(text: str, tables: set[str], actors: set[str]) -> Reference | None:
    parts = text.split(".")
    if parts[0] in REFERENCE_ROOTS or parts[0] in actors:
        return Reference(text, parts[0], parts[1]) if len(parts) == 2 else None
    if len(parts) == 3 and f"{parts[0]}.{parts[1]}" in tables:
        return Reference(text, f"{parts[0]}.{parts[1]}", parts[2])
    if len(parts) == 2 and _qualify(parts[0]) in tables:
        return Reference(text, _qualify(parts[0]), parts[1])
    return None


def load_declaration(path: Path) -> Declaration:
    """Read and validate an access declaration (no database needed).

    Args:
        path: the TOML file (``supabase/access.toml``).

    Returns:
        The :class:`Declaration`.

    Raises:
        AccessDeclarationError: the file is missing, not TOML, or invalid: unknown keys, actors or
            operations, a reference to something undeclared, an insert allowed without a row, or
            factories that reference each other in a cycle. The message gives ``file:line`` and
            the key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AccessDeclarationError(
            f"no access declaration at {path}",
            hint="write one (see docs/access.md), or pass --access-file",
        ) from None
    except OSError as exc:
        raise AccessDeclarationError(f"cannot read {path}: {exc}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessDeclarationError(f"{path}: invalid TOML: {exc}") from exc
    lines = text.splitlines()
    try:
        document = AccessFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            line = _section_line(lines, loc[0], loc[1]) if len(loc) >= 2 else None
            dotted = ".".join(p if not p.isdigit() else f"[{p}]" for p in loc).replace(".[", "[")
            problems.append(f"{_where(path, line)}: {dotted}: {error['msg']}")
        raise AccessDeclarationError(
            "invalid access declaration:\n  " + "\n  ".join(problems),
            hint="see docs/access.md for the format",
        ) from None
    return _validate(path, lines, document)


def _validate(path: Path, lines: Sequence[str], document: AccessFile) -> Declaration:
    actors = ("anon", "owner", "other", *document.actors, "service_role")
    problems: list[str] = []
    for name in document.actors:
        where = f"{_where(path, _section_line(lines, 'actors', name))}: actors.{name}"
        if name in BUILTIN_ACTORS:
            problems.append(f"{where}: {name!r} is a built-in actor; give the custom actor another name")
        elif name in REFERENCE_ROOTS or not _ACTOR_NAME.match(name):
            problems.append(f"{where}: {name!r} cannot name an actor: use lower-case letters, digits and _ "
                            "(not user, run or row)")  # fmt: skip
    keys: dict[str, str] = {}
    for key in document.tables:
        if not _TABLE_KEY.match(key):
            problems.append(f"{_where(path, _section_line(lines, 'tables', key))}: tables.{key}: not a table name")
            continue
        qualified = _qualify(key)
        if qualified in keys.values():
            problems.append(f"{_where(path, _section_line(lines, 'tables', key))}: {qualified} is declared twice")
        keys[key] = qualified
    clash = sorted(set(document.actors) & {k.split(".")[-1] for k in keys})
    if clash:
        problems.append(f"{path}: actor(s) {', '.join(clash)} have the name of a declared table; rename the actor")

    def resolve_ref(text: str) -> Reference | None:
        return _resolve_ref(text, set(keys.values()), set(document.actors))

    tables: list[TableDeclaration] = []
    for key, spec in document.tables.items():
        if key not in keys:
            continue
        line = _section_line(lines, "tables", key)
        where = f"{_where(path, line)}: tables.{key}"
        allowed: dict[str, frozenset[str]] = {}
        for actor, ops in spec.allow.items():
            if actor not in actors:
                problems.append(
                    f"{where}.allow: {actor!r} is not an actor (declared: {', '.join(actors)}); "
                    "declare custom actors under [actors.<name>]"
                )
                continue
            chosen = OPERATIONS if ops == "all" else ops
            unknown = [op for op in chosen if op not in OPERATIONS]
            if unknown:
                problems.append(
                    f"{where}.allow.{actor}: {', '.join(map(repr, unknown))} not an operation; "
                    f'use {", ".join(OPERATIONS)} or "all"'
                )
            allowed[actor] = frozenset(op for op in chosen if op in OPERATIONS)
        for entry in spec.unreviewed:
            actor, _, op = entry.partition(":")
            if entry in _UNREVIEWED_PARTS or (actor in actors and (not op or op in OPERATIONS)):
                continue
            problems.append(f"{where}.unreviewed: {entry!r} is not row, match, insert_row, an actor or actor:operation")
        if spec.row is None and spec.match is None:
            problems.append(f"{where}: needs row (how to make the owner's row) or, for a view, match")
        if spec.row is not None and not spec.row and spec.update_columns is None:
            problems.append(
                f"{where}.row: is empty (a row of defaults only): declare update_columns for the update probe"
            )
        if any("insert" in ops for ops in allowed.values()) and spec.row is None and spec.insert_row is None:
            problems.append(f"{where}: insert is allowed but there is no row or insert_row to insert")
        deps: set[str] = set()
        snippets: list[tuple[str, str, bool]] = []  # (where, text, row allowed)
        for part_name, values in (("row", spec.row), ("insert_row", spec.insert_row)):
            for column, value in (values or {}).items():
                for text in _value_texts(value):
                    snippets.append((f"{where}.{part_name}.{column}", text, part_name == "insert_row"))
        if spec.match:
            snippets.append((f"{where}.match", spec.match, True))
        for location, text, row_ok in snippets:
            for ref_text in find_references(text):
                ref = resolve_ref(ref_text)
                if ref is None:
                    problems.append(
                        f"{location}: {{{ref_text}}} refers to nothing declared; use {{user.id}}, {{run.id}}, "
                        "{<declared table>.<column>} or {<custom actor>.id}"
                    )
                elif ref.root == "row" and not row_ok:
                    problems.append(f"{location}: {{{ref_text}}}: the row cannot refer to itself")
                elif ref.root in keys.values() and ref.root != _qualify(key):
                    deps.add(ref.root)
                elif ref.root == _qualify(key) and not row_ok:
                    problems.append(f"{location}: {{{ref_text}}}: the row cannot refer to itself")
        tables.append(TableDeclaration(key, keys[key], spec, line, allowed, frozenset(deps)))
    try:
        order = list(graphlib.TopologicalSorter({t.name: t.depends_on for t in tables}).static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        problems.append(f"{path}: the row factories refer to each other in a cycle: {cycle}")
        order = [t.name for t in tables]
    functions: list[FunctionDeclaration] = []
    for key, spec in document.functions.items():
        line = _section_line(lines, "functions", key)
        where = f"{_where(path, line)}: functions.{key}"
        if not _FUNCTION_KEY.match(key):
            problems.append(f"{where}: not a function name (schema.name or schema.name(argtype, ...))")
            continue
        name, _, args = key.partition("(")
        name = _qualify(name.strip())
        signature = f"({args.strip()}" if args else None
        for actor in spec.allow:
            if actor not in actors:
                problems.append(f"{where}.allow: {actor!r} is not an actor (declared: {', '.join(actors)})")
        for entry in spec.unreviewed:
            if entry not in ("call", "denied_sqlstates") and entry not in actors:
                problems.append(f"{where}.unreviewed: {entry!r} is not call, denied_sqlstates or an actor")
        for ref_text in find_references(spec.call or ""):
            ref = resolve_ref(ref_text)
            if ref is None or ref.root == "row":
                problems.append(f"{where}.call: {{{ref_text}}} refers to nothing declared")
        functions.append(FunctionDeclaration(key, name, signature, spec, line))
    if problems:
        raise AccessDeclarationError(
            "invalid access declaration:\n  " + "\n  ".join(problems), hint="see docs/access.md for the format"
        )
    by_name = {t.name: t for t in tables}
    factory_order = tuple(by_name[n] for n in order if n in by_name)
    return Declaration(path, actors, dict(document.actors), tuple(tables), tuple(functions), factory_order)


def _value_texts(value: Any) -> Iterator[str]:
    """The strings inside a row value that may hold references."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and set(value) == {"sql"} and isinstance(value["sql"], str):
        yield value["sql"]


def default_access_file(project: Project, *, khepri_schema: bool = False) -> Path:
    """``<project>/supabase/access.toml``, or the Khepri schema's bundled one when ``khepri_schema``.

    Without a project the path returned does not exist, so loading it fails with an error naming
    it: the bundled Khepri declaration is never used unless asked for.
    """
    if khepri_schema:
        return bundled_path("supabase", ACCESS_FILE)
    return project.supabase_dir / ACCESS_FILE


# -- results ---------------------------------------------------------------------------------------


class CellRights(BaseModel):
    """The rights a cell ran with, as :func:`khepri_db.policy.session.request_rights` read them."""

    current_user: str
    superuser: bool
    bypassrls: bool
    owns_rls_tables: bool


class CellResult(BaseModel):
    """One actor x operation x object of the matrix.

    ``ok`` is true when ``actual`` equals ``expected`` and no leak was found; ``skipped`` cells
    (nothing to probe, e.g. insert on a view without ``row``) are ok only when the operation is
    declared denied.
    """

    id: str = Field(description="<object>:<actor>:<operation>, as in Declaration.cell_ids()")
    object: str = Field(description="public.athletes, or public.fn(argtypes) for a function")
    kind: Literal["table", "function"]
    actor: str
    operation: str
    expected: Literal["allowed", "denied"]
    actual: Outcome
    ok: bool
    detail: str = Field(description="what happened: rows affected, or Postgres' message")
    sqlstate: str | None = None
    leak: str | None = Field(None, description="set when an allowed update could hand the row to another owner")
    rights: CellRights | None = None
    unreviewed: bool = Field(False, description="the declaration marks this cell as generated and not yet reviewed")

    def describe(self) -> str:
        """One line: the cell, what was declared, what happened and why."""
        text = f"{self.id}: declared {self.expected}, actual {self.actual} ({self.detail})"
        if self.leak:
            text += f"; LEAK: {self.leak}"
        return text

    def check(self) -> None:
        """Assert the cell matches its declaration and ran with a request's rights (the pytest hook).

        Raises:
            AssertionError: the outcome differs from the declaration, the update leaks, or the cell
                ran as a superuser, with BYPASSRLS (other than service_role) or as a table owner.
        """
        if self.rights is not None:
            rights = self.rights
            assert not rights.superuser, f"{self.id} ran as a superuser ({rights.current_user})"
            assert rights.bypassrls == (self.actor == "service_role"), (
                f"{self.id} ran as {rights.current_user} with bypassrls={rights.bypassrls}"
            )
            assert not rights.owns_rls_tables, f"{self.id} ran as an owner of RLS tables ({rights.current_user})"
        if not self.ok:
            raise AssertionError(self.describe())


class UndeclaredObject(BaseModel):
    """An exposed table, view or function the declaration does not mention."""

    kind: Literal["table", "view", "function"]
    name: str


@dataclass(frozen=True)
class CoverageCheck:
    """The ``coverage`` case of the pytest hook: every exposed object must be declared."""

    undeclared: Sequence[UndeclaredObject]

    def check(self) -> None:
        """Raise ``AssertionError`` listing the exposed tables, views and functions with no declaration."""
        if self.undeclared:
            listed = "; ".join(f"{u.kind} {u.name}" for u in self.undeclared)
            raise AssertionError(f"exposed through the Data API but declared nowhere: {listed}")


class AccessReport(BaseModel):
    """The outcome of one :func:`verify_access` run.

    Attributes:
        access_file: the declaration's path.
        target: :meth:`TargetInfo.to_dict` of the database.
        exposed_schemas: the schemas checked for undeclared objects, and where that list came from.
        actors: the matrix's actors, in order.
        cells: every decided cell, tables first, in declaration order.
        undeclared: exposed objects without a declaration.
        duration_ms: wall time of the run, setup included.
    """

    access_file: str
    target: dict[str, Any]
    exposed_schemas: ExposedSchemas
    actors: list[str]
    cells: list[CellResult]
    undeclared: list[UndeclaredObject]
    duration_ms: float

    @property
    def mismatches(self) -> list[CellResult]:
        """Cells whose outcome differs from the declaration (errors and leaks included)."""
        return [c for c in self.cells if not c.ok]

    @property
    def passed(self) -> bool:
        """No mismatch and nothing undeclared."""
        return not self.mismatches and not self.undeclared

    def cell(self, object_name: str, actor: str, operation: str) -> CellResult:
        """The cell for ``object_name`` (``public.x``, or ``x`` for public) x actor x operation.

        Raises:
            KeyError: no such cell.
        """
        return self.by_id()[f"{_qualify(object_name)}:{actor}:{operation}"]

    def by_id(self) -> dict[str, CellResult]:
        """Every cell by its :attr:`CellResult.id`."""
        return {c.id: c for c in self.cells}

    def summary(self) -> dict[str, int]:
        """``{"cells", "mismatches", "errors", "leaks", "undeclared", "unreviewed"}`` counts."""
        return {
            "cells": len(self.cells),
            "unreviewed": sum(1 for c in self.cells if c.unreviewed),
            "mismatches": len(self.mismatches),
            "errors": sum(1 for c in self.cells if c.actual == "error"),
            "leaks": sum(1 for c in self.cells if c.leak),
            "undeclared": len(self.undeclared),
        }


# -- running it ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExposedObject:
    """A table, view or function the Data API exposes (one that needs a declaration).

    Attributes:
        kind: ``table`` (tables, partitioned and foreign tables), ``view`` (views, materialized views)
            or ``function``.
        name: ``schema.name`` for relations, ``schema.name(argtypes)`` for functions.
        oid: the ``pg_class`` or ``pg_proc`` oid.
    """

    kind: Literal["table", "view", "function"]
    name: str
    oid: int


def exposed_objects(conn: psycopg.Connection, exposed: Sequence[str]) -> list[ExposedObject]:
    """Every object of the ``exposed`` schemas a declaration must cover, relations first, by name.

    Relations: tables, partitioned tables (not their partitions), views, materialized views and
    foreign tables. Functions: plain functions (not procedures, aggregates or trigger functions)
    that anon, authenticated or service_role may execute. Objects belonging to an extension and the
    Supabase-managed schemas (:data:`khepri_db.doctor.run.EXCLUDED_SCHEMAS`) are left out, as doctor
    leaves them out.
    """
    schemas = [s for s in exposed if s not in EXCLUDED_SCHEMAS]
    found: list[ExposedObject] = []
    for oid, schema, name, kind in conn.execute(
        """
        select c.oid, n.nspname, c.relname, c.relkind::text
        from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
            and not exists (
                select 1 from pg_catalog.pg_depend as d
                where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
            )
        order by 2, 3
        """,
        (schemas,),
    ).fetchall():
        found.append(ExposedObject("view" if kind in "vm" else "table", f"{schema}.{name}", oid))
    for oid, display in conn.execute(
        """
        select p.oid, format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes))
        from pg_catalog.pg_proc as p
        join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
        where n.nspname = any(%s) and p.prokind = 'f'
            and p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
            and not exists (
                select 1 from pg_catalog.pg_depend as d
                where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
            )
            and (
                pg_catalog.has_function_privilege('anon', p.oid, 'execute')
                or pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
                or pg_catalog.has_function_privilege('service_role', p.oid, 'execute')
            )
        order by 2
        """,
        (schemas,),
    ).fetchall():
        found.append(ExposedObject("function", display, oid))
    return found


@dataclass
class _Column:
    name: str
    type: str
    is_json: bool


@dataclass
class _Relation:
    decl: TableDeclaration
    kind: str
    columns: dict[str, _Column]
    primary_key: list[str]


@dataclass
class _Subject:
    """One owner (``owner`` or ``other``): their user, one user per custom actor, and their rows."""

    label: str
    user: _session.AuthUser
    actor_users: dict[str, _session.AuthUser] = field(default_factory=dict)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)


def _user_values(user: _session.AuthUser) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "phone": user.phone}


class _Runner:
    def __init__(self, conn: psycopg.Connection, declaration: Declaration) -> None:
        self.conn = conn
        self.decl = declaration
        self.run_id = uuid.uuid4().hex[:12]
        self.relations: dict[str, _Relation] = {}
        self.functions: dict[str, tuple[int, str, int]] = {}  # key -> (oid, display, nargs)
        self.subjects: dict[str, _Subject] = {}
        self.shared_rows: dict[str, dict[str, Any]] = {}
        self._made = 0  # extra owners made for the re-parenting probes
        self._resolve_ref: Callable[[str], Reference | None] = declaration.resolve

    # catalog -----------------------------------------------------------------------------------

    def load_catalog(self) -> None:
        missing: list[str] = []
        for table in self.decl.tables:
            row = self.conn.execute(
                "select c.oid, c.relkind::text from pg_catalog.pg_class as c "
                "where c.oid = to_regclass(format('%%I.%%I', %s::text, %s::text))",
                (table.schema, table.table),
            ).fetchone()
            if row is None:
                missing.append(f"{_where(self.decl.path, table.line)}: table {table.name} does not exist")
                continue
            oid, kind = row
            columns = {
                name: _Column(name, type_, type_ in {"json", "jsonb"})
                for name, type_ in self.conn.execute(
                    "select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) from pg_catalog.pg_attribute a "
                    "where a.attrelid = %s and a.attnum > 0 and not a.attisdropped order by a.attnum",
                    (oid,),
                ).fetchall()
            }
            pk = [
                r[0]
                for r in self.conn.execute(
                    "select a.attname from pg_catalog.pg_index i "
                    "cross join lateral unnest(i.indkey) with ordinality as k (attnum, ord) "
                    "join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum "
                    "where i.indrelid = %s and i.indisprimary order by k.ord",
                    (oid,),
                ).fetchall()
            ]
            where = f"{_where(self.decl.path, table.line)}: tables.{table.key}"
            spec = table.spec
            named = [*(spec.row or {}), *(spec.insert_row or {}), *(spec.update_columns or [])]
            for column in named:
                if column not in columns:
                    missing.append(f"{where}: {table.name} has no column {column!r}")
            if spec.match is None and not pk:
                missing.append(f"{where}: {table.name} has no primary key; declare match to find the target row")
            self.relations[table.name] = _Relation(table, kind, columns, pk)
        for function in self.decl.functions:
            where = f"{_where(self.decl.path, function.line)}: functions.{function.key}"
            schema, name = function.name.split(".", 1)
            if function.signature:
                rows = self.conn.execute(
                    _FUNCTIONS + "where p.oid = to_regprocedure(%s)", (f"{function.name}{function.signature}",)
                ).fetchall()
            else:
                rows = self.conn.execute(
                    _FUNCTIONS + "where n.nspname = %s and p.proname = %s", (schema, name)
                ).fetchall()
            if not rows:
                missing.append(f"{where}: function {function.key} does not exist")
            elif len(rows) > 1:
                overloads = ", ".join(r[1] for r in rows)
                missing.append(
                    f"{where}: {function.name} is overloaded ({overloads}); name one with its argument types"
                )
            else:
                oid, display, nargs = rows[0]
                if function.spec.call is None and nargs:
                    missing.append(f"{where}: {display} takes arguments; declare call with the SQL that calls it")
                self.functions[function.key] = (oid, display, nargs)
        if missing:
            raise AccessDeclarationError(
                "the access declaration does not fit this database:\n  " + "\n  ".join(missing),
                hint="run `khepri-db migrate` if the database is behind, or fix the declaration",
            )

    def undeclared(self, exposed: Sequence[str]) -> list[UndeclaredObject]:
        declared_functions = {oid for oid, _, _ in self.functions.values()}
        return [
            UndeclaredObject(kind=o.kind, name=o.name)
            for o in exposed_objects(self.conn, exposed)
            if (o.name not in self.relations if o.kind != "function" else o.oid not in declared_functions)
        ]

    # setup -------------------------------------------------------------------------------------

    def setup(self) -> None:
        for label in ("owner", "other"):
            subject = _Subject(label, _session.create_user(self.conn, f"{label}-{self.run_id}@access.khepri.test"))
            for name, spec in self.decl.custom_actors.items():
                subject.actor_users[name] = _session.create_user(
                    self.conn,
                    None if spec.is_anonymous else f"{name}-of-{label}-{self.run_id}@access.khepri.test",
                    app_metadata=spec.app_metadata,
                    user_metadata=spec.user_metadata,
                    is_anonymous=spec.is_anonymous,
                )
            self.subjects[label] = subject
        for table in self.decl.factory_order:
            if table.spec.row is None:
                continue
            for label in ("owner",) if table.spec.shared else ("owner", "other"):
                subject = self.subjects[label]
                created = self._make_row(table, subject, label)
                if table.spec.shared:
                    self.shared_rows[table.name] = created
                else:
                    subject.rows[table.name] = created

    def _make_row(self, table: TableDeclaration, subject: _Subject, label: str) -> dict[str, Any]:
        """Insert ``subject``'s row of ``table`` from its factory (as the connecting role) and return it."""
        assert table.spec.row is not None
        query, params = self._insert(table, table.spec.row, subject, None, returning=True)
        try:
            with self.conn.transaction(), self.conn.cursor(row_factory=dict_row) as cur:
                created = cur.execute(query, params).fetchone()
        except psycopg.Error as exc:
            raise RowFactoryError(
                f"{_where(self.decl.path, table.line)}: tables.{table.key}.row: making the {label}'s row "
                f"failed: {_message(exc)}",
                table=table.name,
                reason=_message(exc),
                sqlstate=exc.diag.sqlstate,
                constraint=exc.diag.constraint_name,
                hint="fix the row values (they must satisfy the table's constraints), and run as the role "
                "that owns the tables (the migrating role), which RLS does not restrict",
            ) from exc
        if created is None:
            raise RowFactoryError(
                f"{_where(self.decl.path, table.line)}: tables.{table.key}.row inserted no row "
                "(a trigger returned null?)",
                table=table.name,
                reason="the insert returned no row (a trigger returned null?)",
            )
        return dict(created)

    def _new_subject(
        self, label: str, user: _session.AuthUser, actor_users: Mapping[str, _session.AuthUser]
    ) -> _Subject:
        """One more owner for the re-parenting probes: ``user`` with the given actor users (new users for
        the custom actors not given), and a row of every per-owner table made by its factory."""
        self._made += 1
        subject = _Subject(label, user, dict(actor_users))
        for name, spec in self.decl.custom_actors.items():
            if name not in subject.actor_users:
                subject.actor_users[name] = _session.create_user(
                    self.conn,
                    None if spec.is_anonymous else f"{name}-probe{self._made}-{self.run_id}@access.khepri.test",
                    app_metadata=spec.app_metadata,
                    user_metadata=spec.user_metadata,
                    is_anonymous=spec.is_anonymous,
                )
        for table in self.decl.factory_order:
            if table.spec.row is not None and not table.spec.shared:
                subject.rows[table.name] = self._make_row(table, subject, label)
        return subject

    def _reparent_targets(self, actor: str) -> Iterator[tuple[str, Callable[[], _Subject]]]:
        """Every owner ``actor`` could try to move the owner's row to: (description, how to make them).

        * the other owner (someone the actor has no tie to);
        * for a custom actor (a coach, an admin): the actor's own rows, and another owner the same
          actor reaches the way it reaches the owner (a second athlete of the same coach);
        * for the owner: an owner they reach as each custom actor (an athlete they coach).

        The extra owners are made inside a rolled-back savepoint (see :meth:`table_cells`), so no other
        cell sees them.
        """
        owner = self.subjects["owner"]
        yield "the other owner", lambda: self.subjects["other"]
        if actor in self.decl.custom_actors:
            me = owner.actor_users[actor]
            yield f"the {actor}'s own rows", lambda: self._new_subject(f"{actor}'s own", me, {})
            yield (
                f"another owner whose {actor} is the same user",
                lambda: self._new_subject(
                    f"another owner of the {actor}",
                    _session.create_user(self.conn, f"peer-probe{self._made}-{self.run_id}@access.khepri.test"),
                    {actor: me},
                ),
            )
        elif actor == "owner":
            for name in self.decl.custom_actors:
                yield (
                    f"an owner whose {name} is the owner",
                    lambda name=name: self._new_subject(  # type: ignore[misc]
                        f"an owner the owner is {name} of",
                        _session.create_user(self.conn, f"ward-probe{self._made}-{self.run_id}@access.khepri.test"),
                        {name: owner.user},
                    ),
                )

    # rendering ---------------------------------------------------------------------------------

    def _value_of(self, ref: Reference, subject: _Subject, row: Mapping[str, Any] | None) -> Any:
        if ref.root == "user":
            source: Mapping[str, Any] = _user_values(subject.user)
        elif ref.root == "run":
            source = {"id": self.run_id}
        elif ref.root == "row":
            source = row or {}
        elif ref.root in self.decl.custom_actors:
            source = _user_values(subject.actor_users[ref.root])
        else:
            source = self.shared_rows.get(ref.root) or subject.rows.get(ref.root) or {}
        if ref.column not in source:
            raise AccessDeclarationError(
                f"{self.decl.path}: {{{ref.text}}}: no such value (known: {', '.join(sorted(source)) or 'none'})"
            )
        return source[ref.column]

    def _snippet(self, text: str, subject: _Subject, row: Mapping[str, Any] | None) -> tuple[sql.Composable, list[Any]]:
        """A SQL snippet with its ``{refs}`` turned into bound parameters (``%`` kept literal)."""
        parts: list[sql.Composable] = []
        params: list[Any] = []
        position = 0
        for match in _REF.finditer(text):
            parts.append(sql.SQL(text[position : match.start()].replace("%", "%%")))
            ref = self._resolve_ref(match.group(1))
            assert ref is not None  # validated at load time
            parts.append(sql.Placeholder())
            params.append(self._value_of(ref, subject, row))
            position = match.end()
        parts.append(sql.SQL(text[position:].replace("%", "%%")))
        return sql.Composed(parts), params

    def _value(
        self, column: _Column, value: Any, subject: _Subject, row: Mapping[str, Any] | None
    ) -> tuple[sql.Composable, list[Any]]:
        cast = sql.SQL("::" + column.type)
        if isinstance(value, dict) and set(value) == {"sql"}:
            snippet, params = self._snippet(value["sql"], subject, row)
            return sql.Composed([sql.SQL("("), snippet, sql.SQL(")")]), params
        if isinstance(value, str):
            refs = list(_REF.finditer(value))
            if len(refs) == 1 and refs[0].group(0) == value:
                ref = self._resolve_ref(refs[0].group(1))
                assert ref is not None
                bound = self._value_of(ref, subject, row)
            elif refs:
                bound = _REF.sub(
                    lambda m: str(self._value_of(self._resolve_ref(m.group(1)), subject, row)),  # type: ignore[arg-type]
                    value,
                )
            else:
                bound = value
            if column.is_json and not isinstance(bound, str):
                bound = Jsonb(bound)
            return sql.Composed([sql.Placeholder(), cast]), [bound]
        if column.is_json:
            return sql.Composed([sql.Placeholder(), cast]), [Jsonb(value)]
        return sql.Composed([sql.Placeholder(), cast]), [value]

    def _insert(
        self,
        table: TableDeclaration,
        values: Mapping[str, Any],
        subject: _Subject,
        row: Mapping[str, Any] | None,
        *,
        returning: bool,
    ) -> tuple[sql.Composable, list[Any]]:
        relation = self.relations[table.name]
        rendered = [self._value(relation.columns[c], v, subject, row) for c, v in values.items()]
        if values:
            query = sql.SQL("insert into {} ({}) values ({})").format(
                sql.Identifier(table.schema, table.table),
                sql.SQL(", ").join(sql.Identifier(c) for c in values),
                sql.SQL(", ").join(r[0] for r in rendered),
            )
        else:  # `row = {}`: every column takes its default
            query = sql.SQL("insert into {} default values").format(sql.Identifier(table.schema, table.table))
        if returning and table.spec.on_conflict and values:
            query = sql.Composed([
                query,
                sql.SQL(" on conflict ({}) do update set {}").format(
                    sql.SQL(", ").join(sql.Identifier(c) for c in table.spec.on_conflict),
                    sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in values),
                ),
            ])  # fmt: skip
        if returning:
            query = sql.Composed([query, sql.SQL(" returning *")])
        return query, [p for r in rendered for p in r[1]]

    def _target_row(self, table: TableDeclaration, subject: _Subject) -> Mapping[str, Any] | None:
        if table.spec.shared:
            return self.shared_rows.get(table.name)
        return subject.rows.get(table.name)

    def _match(self, table: TableDeclaration, subject: _Subject) -> tuple[sql.Composable, list[Any]]:
        row = self._target_row(table, subject)
        if table.spec.match:
            snippet, params = self._snippet(table.spec.match, subject, row)
            return sql.Composed([sql.SQL("("), snippet, sql.SQL(")")]), params
        relation = self.relations[table.name]
        assert row is not None
        conditions = [
            sql.SQL("{} = {}").format(
                sql.Identifier(c), sql.Composed([sql.Placeholder(), sql.SQL("::" + relation.columns[c].type)])
            )
            for c in relation.primary_key
        ]
        return sql.SQL(" and ").join(conditions), [row[c] for c in relation.primary_key]

    # acting ------------------------------------------------------------------------------------

    def _context(self, actor: str, method: str, path: str) -> AbstractContextManager[psycopg.Connection]:
        # _act reads the rights once and checks them itself (check_rights), so the context need not.
        request: dict[str, Any] = {"method": method, "path": path, "verify": False}
        owner = self.subjects["owner"]
        if actor == "anon":
            return _session.as_anon(self.conn, **request)
        if actor == "service_role":
            return _session.as_service_role(self.conn, **request)
        if actor == "owner":
            return _session.as_user(self.conn, owner.user, **request)
        if actor == "other":
            return _session.as_user(self.conn, self.subjects["other"].user, **request)
        spec = self.decl.custom_actors[actor]
        return _session.as_user(self.conn, owner.actor_users[actor], claims=spec.claims or None, **request)

    def _act(
        self, actor: str, query: sql.Composable, params: Sequence[Any], method: str, path: str, *, rows: bool = False
    ) -> _Attempt:
        """Run ``query`` as ``actor`` (its own savepoint, via the request context) and say what happened."""
        rights: CellRights | None = None
        try:
            with self._context(actor, method, path) as conn:
                seen = _session.request_rights(conn)
                _session.check_rights(seen, _API_ROLE.get(actor, "authenticated"))
                rights = CellRights(
                    current_user=seen.current_user,
                    superuser=seen.superuser,
                    bypassrls=seen.bypassrls,
                    owns_rls_tables=bool(seen.owned_rls_tables),
                )
                cursor = conn.execute(query, params)
                count = len(cursor.fetchall()) if rows else cursor.rowcount
        except RoleSwitchError:
            raise
        except psycopg.errors.InsufficientPrivilege as exc:
            return _Attempt("refused", _message(exc), exc.diag.sqlstate, rights)
        except psycopg.errors.ObjectNotInPrerequisiteState as exc:
            # "cannot delete from view": a view Postgres cannot write through refuses everybody.
            if _NOT_UPDATABLE.match(exc.diag.message_primary or ""):
                return _Attempt("refused", _message(exc), exc.diag.sqlstate, rights)
            return _Attempt("error", _message(exc), exc.diag.sqlstate, rights)
        except psycopg.Error as exc:
            diag = exc.diag
            where = (diag.schema_name, diag.table_name, diag.constraint_name)
            return _Attempt("error", _message(exc), diag.sqlstate, rights, constraint=where if all(where) else None)
        return _Attempt("ran", "", None, rights, count)

    def _as_admin(self, query: sql.Composable, params: Sequence[Any]) -> str | None:
        """Run ``query`` as the connecting role in a savepoint; the error message if it failed."""
        try:
            with self.conn.transaction():
                self.conn.execute(query, params)
        except psycopg.Error as exc:
            return _message(exc)
        return None

    # cells -------------------------------------------------------------------------------------

    def table_cells(self) -> Iterator[CellResult]:
        cells: list[CellResult] = []
        handovers: list[tuple[int, TableDeclaration, str]] = []
        for table in self.decl.tables:
            for actor in self.decl.actors:
                allowed = table.allowed.get(actor, frozenset())
                for op in OPERATIONS:
                    expected: Literal["allowed", "denied"] = "allowed" if op in allowed else "denied"
                    with self.conn.transaction(force_rollback=True):
                        actual, detail, attempt, leak = self._table_cell(table, actor, op)
                    if op == "update" and actual == "allowed" and actor != "service_role":
                        handovers.append((len(cells), table, actor))
                    ok = (actual == expected or (actual == "skipped" and expected == "denied")) and leak is None
                    cells.append(CellResult(
                        id=f"{table.name}:{actor}:{op}",
                        object=table.name,
                        kind="table",
                        actor=actor,
                        operation=op,
                        expected=expected,
                        actual=actual,
                        ok=ok,
                        detail=detail,
                        sqlstate=attempt.sqlstate if attempt else None,
                        leak=leak,
                        rights=attempt.rights if attempt else None,
                        unreviewed=actor in table.spec.unreviewed or f"{actor}:{op}" in table.spec.unreviewed,
                    ))  # fmt: skip
        # The re-parenting probes of allowed updates, after every other cell: the extra owners they
        # aim at are made once, in one savepoint rolled back at the end, so no other cell sees them.
        with self.conn.transaction(force_rollback=True):
            made: dict[str, _Subject] = {}
            for index, table, actor in handovers:
                if not table.spec.handover or table.spec.shared:
                    continue
                where, where_params = self._match(table, self.subjects["owner"])
                leak = self._handover(table, actor, where, where_params, made)
                if leak is not None:
                    cells[index] = cells[index].model_copy(update={"leak": leak, "ok": False})
        yield from cells

    def _table_cell(
        self, table: TableDeclaration, actor: str, op: str
    ) -> tuple[Outcome, str, _Attempt | None, str | None]:
        """(actual, detail, attempt, leak) of one table cell; runs inside a rolled-back savepoint."""
        owner = self.subjects["owner"]
        spec = table.spec
        target = sql.Identifier(table.schema, table.table)
        path = f"/{table.table}"
        where, where_params = self._match(table, owner)
        if op == "select":
            query = sql.SQL("select 1 from {} where {}").format(target, where)
            attempt = self._act(actor, query, where_params, "GET", path, rows=True)
            return (*attempt.decide("visible", "0 rows: filtered out by RLS"), attempt, None)
        if op == "delete":
            query = sql.SQL("delete from {} where {}").format(target, where)
            attempt = self._act(actor, query, where_params, "DELETE", path)
            return (*attempt.decide("deleted", "0 rows: filtered out by RLS"), attempt, None)
        if op == "insert":
            values = spec.insert_row or spec.row
            if values is None:
                return "skipped", "nothing to insert: no row or insert_row", None, None
            cleared = self._as_admin(sql.SQL("delete from {} where {}").format(target, where), where_params)
            query, params = self._insert(table, values, owner, self._target_row(table, owner), returning=False)
            attempt = self._act(actor, query, params, "POST", path)
            actual, detail = attempt.decide("inserted", "no row inserted (a trigger returned null)")
            if actual == "error" and cleared:
                detail += f" (the owner's row could not be deleted first: {cleared})"
            return actual, detail, attempt, None
        columns = spec.update_columns or self._default_update_columns(table)
        if not columns:
            return "skipped", "nothing to update: no update_columns and no row", None, None
        assignments = sql.SQL(", ").join(sql.SQL("{0} = {0}").format(sql.Identifier(c)) for c in columns)
        query = sql.SQL("update {} set {} where {}").format(target, assignments, where)
        attempt = self._act(actor, query, where_params, "PATCH", path)
        actual, detail = attempt.decide("updated", "0 rows: filtered out by RLS")
        return actual, detail, attempt, None  # the re-parenting probes run later (table_cells)

    def _default_update_columns(self, table: TableDeclaration) -> list[str]:
        row = table.spec.row or {}
        literal = [c for c, v in row.items() if not any(find_references(t) for t in _value_texts(v))]
        return literal or list(row)

    def _reference_columns(self, table: TableDeclaration) -> dict[str, Any]:
        """Columns of the row whose values come from the owner (their user, rows or actors)."""
        owned: dict[str, Any] = {}
        for column, value in (table.spec.row or {}).items():
            refs = [self._resolve_ref(r) for t in _value_texts(value) for r in find_references(t)]
            if any(ref is not None and ref.root != "run" and ref.root not in self.shared_rows for ref in refs):
                owned[column] = value
        return owned

    def _handover(
        self,
        table: TableDeclaration,
        actor: str,
        where: sql.Composable,
        where_params: Sequence[Any],
        made: dict[str, _Subject],
    ) -> str | None:
        """Try to move the owner's row to every owner ``actor`` could aim at; the leaks found, if any.

        Each attempt sets the row's reference columns to the target owner's values, after deleting
        the target's own row of the table so unique keys cannot interfere, in its own rolled-back
        savepoint (see :meth:`_reparent_targets` for the targets; ``made`` caches the extra owners,
        by description, for the caller's savepoint).
        """
        columns = self._reference_columns(table)
        if not columns:
            return None
        relation = self.relations[table.name]
        target = sql.Identifier(table.schema, table.table)
        leaks: list[str] = []
        for description, make in self._reparent_targets(actor):
            if description not in made:
                made[description] = make()
            other = made[description]
            with self.conn.transaction(force_rollback=True):
                mirror = other.rows.get(table.name)
                if mirror is not None and relation.primary_key:
                    condition = sql.SQL(" and ").join(
                        sql.SQL("{} = %s").format(sql.Identifier(c)) for c in relation.primary_key
                    )
                    self._as_admin(
                        sql.SQL("delete from {} where {}").format(target, condition),
                        [mirror[c] for c in relation.primary_key],
                    )
                rendered = [(c, *self._value(relation.columns[c], v, other, None)) for c, v in columns.items()]
                assignments = sql.SQL(", ").join(
                    sql.SQL("{} = {}").format(sql.Identifier(c), expr) for c, expr, _ in rendered
                )
                query = sql.SQL("update {} set {} where {}").format(target, assignments, where)
                params = [p for _, _, values in rendered for p in values] + list(where_params)
                attempt = self._act(actor, query, params, "PATCH", f"/{table.table}")
                for _ in range(_MAX_DEPENDENTS):
                    # Rows of other tables that point at this one (a plan's sessions) hold it only
                    # while they exist: an owner without them could still move it. Clear and retry.
                    if not self._clear_dependents(table, attempt, where, where_params):
                        break
                    attempt = self._act(actor, query, params, "PATCH", f"/{table.table}")
            if attempt.status == "ran" and attempt.count > 0:
                leaks.append(f"{actor} could hand the row over to {description} (set {', '.join(columns)} to theirs)")
        if not leaks:
            return None
        return "; ".join(leaks) + ": the update policy's with check does not pin the row to its owner"

    def _clear_dependents(
        self, table: TableDeclaration, attempt: _Attempt, where: sql.Composable, where_params: Sequence[Any]
    ) -> bool:
        """After a 23503 naming a foreign key of *another* table that references the target row,
        delete those referencing rows (as the connecting role); True if that was the failure."""
        if attempt.sqlstate != "23503" or attempt.constraint is None:
            return False
        schema, referencing, constraint = attempt.constraint
        if (schema, referencing) == (table.schema, table.table):
            return False  # the row's own foreign key refused the new owner: a real stop, not a dependent
        row = self.conn.execute(
            """
            select array_agg(a.attname::text order by k.ord), array_agg(f.attname::text order by k.ord)
            from pg_catalog.pg_constraint as c
            cross join lateral unnest(c.conkey, c.confkey) with ordinality as k (attnum, fattnum, ord)
            join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and a.attnum = k.attnum
            join pg_catalog.pg_attribute as f on f.attrelid = c.confrelid and f.attnum = k.fattnum
            where c.contype = 'f' and c.conname = %s
                and c.conrelid = to_regclass(format('%%I.%%I', %s::text, %s::text))
                and c.confrelid = to_regclass(format('%%I.%%I', %s::text, %s::text))
            """,
            (constraint, schema, referencing, table.schema, table.table),
        ).fetchone()
        if row is None or row[0] is None:
            return False
        columns, referenced = row
        query = sql.SQL("delete from {} where ({}) in (select {} from {} where {})").format(
            sql.Identifier(schema, referencing),
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.SQL(", ").join(sql.Identifier(c) for c in referenced),
            sql.Identifier(table.schema, table.table),
            where,
        )
        return self._as_admin(query, where_params) is None

    def function_cells(self) -> Iterator[CellResult]:
        owner = self.subjects["owner"]
        for function in self.decl.functions:
            _, display, _ = self.functions[function.key]
            if function.spec.call:
                query, params = self._snippet(function.spec.call, owner, None)
            else:
                schema, name = function.name.split(".", 1)
                query, params = sql.SQL("select {}()").format(sql.Identifier(schema, name)), []
            path = f"/rpc/{function.name.split('.', 1)[1]}"
            for actor in self.decl.actors:
                expected: Literal["allowed", "denied"] = "allowed" if actor in function.spec.allow else "denied"
                with self.conn.transaction(force_rollback=True):
                    attempt = self._act(actor, query, params, "POST", path)
                actual: Outcome = {"ran": "allowed", "refused": "denied", "error": "error"}[attempt.status]  # type: ignore[assignment]
                if actual == "error" and attempt.sqlstate in function.spec.denied_sqlstates:
                    actual = "denied"
                yield CellResult(
                    id=f"{function.cell_name}:{actor}:{EXECUTE}",
                    object=display,
                    kind="function",
                    actor=actor,
                    operation=EXECUTE,
                    expected=expected,
                    actual=actual,
                    ok=actual == expected,
                    detail=attempt.detail or "the call completed",
                    sqlstate=attempt.sqlstate,
                    rights=attempt.rights,
                    unreviewed=actor in function.spec.unreviewed,
                )


@dataclass(frozen=True)
class _Attempt:
    """What one statement run as an actor did.

    Attributes:
        status: ``ran`` (no error), ``refused`` (SQLSTATE 42501) or ``error`` (anything else).
        detail: Postgres' message when it failed.
        sqlstate: the SQLSTATE when it failed.
        rights: the rights the request context ran with (``None`` if the switch itself failed).
        count: rows returned (select) or affected (insert, update, delete).
        constraint: (schema, table, constraint) Postgres named in the error, if any.
    """

    status: Literal["ran", "refused", "error"]
    detail: str
    sqlstate: str | None
    rights: CellRights | None
    count: int = 0
    constraint: tuple[str, str, str] | None = None

    def decide(self, done: str, none: str) -> tuple[Outcome, str]:
        """(outcome, detail) of a table operation: rows affected means allowed, none or 42501 denied."""
        if self.status == "refused":
            return "denied", self.detail
        if self.status == "error":
            return "error", self.detail
        if self.count == 0:
            return "denied", none
        return "allowed", f"{self.count} row {done}" if self.count == 1 else f"{self.count} rows {done}"


_NOT_UPDATABLE = re.compile(r"^cannot (insert into|update|delete from) view ")
"""Postgres' message (SQLSTATE 55000) for a write through a view that is not automatically updatable."""

_MAX_DEPENDENTS = 5
"""How many tables of rows referencing a row the re-parenting probe clears before giving up."""


def _message(exc: psycopg.Error) -> str:
    diag = exc.diag
    text = diag.message_primary or str(exc).strip().splitlines()[0]
    return f"{text} [SQLSTATE {diag.sqlstate}]" if diag.sqlstate else text


def _require_api_roles(conn: psycopg.Connection, url: str) -> TargetInfo:
    """The target's :class:`TargetInfo`, after checking it has Supabase's API roles.

    Raises:
        UsageError: anon, authenticated, service_role or authenticator is missing.
    """
    target = detect(conn)
    if target.missing_roles:
        raise UsageError(
            f"{redact(url)} lacks the Supabase API roles {', '.join(target.missing_roles)}",
            hint="run `khepri-db migrate` (it installs the compatibility layer on vanilla Postgres)",
        )
    return target


def verify_access(
    url: str,
    declaration: Declaration | Path,
    *,
    project: Project | None = None,
    exposed_schemas: Sequence[str] | None = None,
) -> AccessReport:
    """Check the database at ``url`` against an access declaration.

    Args:
        url: a database migrated with the project's schema. Connect as the role that owns the
            tables (the migrating role: ``postgres``), which may create users and rows for the run.
        declaration: a :class:`Declaration`, or the path of an ``access.toml`` to load.
        project: the Supabase project, for ``[api] schemas`` (default: discovered from the cwd).
        exposed_schemas: schemas whose tables, views and functions must all be declared (default:
            :func:`khepri_db.doctor.run.resolve_exposed_schemas`: config.toml, ``pgrst.db_schemas``,
            else ``public``); Supabase-managed schemas are skipped as doctor skips them.

    Returns:
        The :class:`AccessReport`. Nothing is left in the database: the run is one transaction
        that is rolled back.

    Raises:
        AccessDeclarationError: the declaration is invalid, names tables or functions the database
            lacks, or a row factory fails (exit 2).
        ConnectionFailedError: the database cannot be reached.
        RoleSwitchError: a request context kept rights that bypass RLS (the API roles are
            misconfigured), so no cell could prove anything.
        UsageError: the URL is Supabase's transaction pooler, or the API roles do not exist.
    """
    started = time.perf_counter()
    decl = declaration if isinstance(declaration, Declaration) else load_declaration(declaration)
    project = project or Project.discover()
    require_session_connection(url, "verify-access")
    with connect(url) as conn:
        target = _require_api_roles(conn, url)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        runner = _Runner(conn, decl)
        try:
            runner.load_catalog()
            undeclared = runner.undeclared(exposed.schemas)
            runner.setup()
            cells = [*runner.table_cells(), *runner.function_cells()]
        finally:
            conn.rollback()
    return AccessReport(
        access_file=str(decl.path),
        target=target.to_dict(),
        exposed_schemas=exposed,
        actors=list(decl.actors),
        cells=cells,
        undeclared=undeclared,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def matrix_rows(report: AccessReport) -> Iterable[tuple[str, str, dict[str, list[CellResult]]]]:
    """The report as matrix rows: ``(object, kind, {actor: cells in operation order})``."""
    seen: dict[str, tuple[str, dict[str, list[CellResult]]]] = {}
    for cell in report.cells:
        kind, by_actor = seen.setdefault(cell.object, (cell.kind, {a: [] for a in report.actors}))
        by_actor[cell.actor].append(cell)
    for name, (kind, by_actor) in seen.items():
        yield name, kind, by_actor


# -- generating a declaration (`khepri-db access init`) ----------------------------------------------

GENERATED_MARK = "# Generated by `khepri-db access init`"
"""First line of a generated declaration."""

_UID = r"(?:\(\s*SELECT\s+auth\.uid\(\)(?:\s+AS\s+\w+)?\s*\)|auth\.uid\(\))(?:::\w+)?"
_COL = r"\(?(?:\"?(\w+)\"?\.)?\"?(\w+)\"?\)?(?:::\w+)?"
_OWNER_PATTERNS = (re.compile(rf"{_COL}\s*=\s*{_UID}", re.I), re.compile(rf"{_UID}\s*=\s*{_COL}", re.I))
_CHECK_STRINGS = re.compile(r"'((?:[^']|'')*)'")
_CHECK_NUMBERS = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_SAMPLE_USER = uuid.UUID("00000000-0000-4000-8000-00000000a11c")
_SAMPLE_RUN = "0123456789ab"


@dataclass
class _CatColumn:
    """A column as the generator sees it (attnum order)."""

    name: str
    type: str  # format_type, e.g. "character varying(40)", "public.status"
    category: str  # pg_type.typcategory of the base type (S string, N numeric, B bool, D date/time, U, A array, E enum)
    base: str  # the base type's name (domains resolved), e.g. "text", "uuid", "timestamptz"
    required: bool  # NOT NULL (or a NOT NULL domain) and no default, identity or generation expression
    generated: bool  # identity or generated: never set by the factory
    labels: list[str]  # enum labels (of the base type), in sort order
    checks: list[str]  # single-column CHECK constraints of the table and the domain's checks
    related: list[str] = field(default_factory=list)  # CHECK constraints over this and other columns


@dataclass
class _CatForeignKey:
    columns: list[str]
    target: str  # schema.table
    target_columns: list[str]


@dataclass
class _CatTable:
    """A table or view of the catalog, with what the row factory needs."""

    name: str
    kind: str  # relkind
    exposed: bool
    columns: dict[str, _CatColumn]
    primary_key: list[str]
    uniques: list[list[str]]
    foreign_keys: list[_CatForeignKey]
    owner_columns: dict[str, str]  # column -> why it is the owner's (a policy, a foreign key to auth.users)
    base_tables: list[str]  # views: the relations the view reads
    multi_checks: dict[str, list[str]] = field(default_factory=dict)  # CHECK over several columns: name -> columns

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]


class GeneratedTable(BaseModel):
    """What ``access init`` found for one table or view.

    Attributes:
        name: ``schema.table``.
        kind: ``table`` or ``view``.
        row_built: a row factory was generated and made rows for both owners.
        reason: why no row could be built (``None`` when it was, or for a view found by ``match``).
        notes: what the generator inferred (the owner column and why, a shared table, leaks seen).
        exposed: false for a table outside the exposed schemas declared only because exposed rows
            reference it.
    """

    name: str
    kind: Literal["table", "view"]
    row_built: bool
    reason: str | None = None
    notes: list[str] = Field(default_factory=list)
    exposed: bool = True


class AccessInitResult(BaseModel):
    """The outcome of :func:`init_access`.

    Attributes:
        access_file: the file written.
        mode: ``create`` (a new file, or ``--force``) or ``update`` (objects appended).
        target: :meth:`TargetInfo.to_dict` of the database.
        exposed_schemas: the schemas covered.
        tables: every table and view considered (existing declarations excluded in ``update`` mode).
        functions: the functions declared (new ones only in ``update`` mode).
        cells: the cells written (tables x actors x operations, functions x actors).
        unbuildable: the tables with no row factory, with their reasons (also written as comments).
        errors: table cells whose probe neither succeeded nor was refused (verify-access reports them as errors).
        undecided: functions whose generated call failed for every actor: declared with the SQLSTATEs seen as
            ``denied_sqlstates`` (so verify-access passes) and marked UNDECIDED in the file: the cells say only
            that this call fails.
        leaks: cells whose allowed update hands the row over to another owner.
        kept: declarations already in the file and kept as they are (``update`` mode).
        verify: :meth:`AccessReport.summary` of ``verify-access`` run on the written file, plus ``passed``.
    """

    access_file: str
    mode: Literal["create", "update"]
    target: dict[str, Any]
    exposed_schemas: ExposedSchemas
    tables: list[GeneratedTable]
    functions: list[str]
    cells: int
    unbuildable: list[GeneratedTable]
    errors: list[str]
    undecided: list[str]
    leaks: list[str]
    kept: list[str]
    verify: dict[str, Any]

    def summary(self) -> dict[str, int]:
        """Counts: ``tables``, ``rows_built``, ``views``, ``functions``, ``cells``, ``unbuildable``, ``errors``,
        ``undecided``, ``leaks``."""
        tables = [t for t in self.tables if t.kind == "table"]
        return {
            "tables": len(tables),
            "rows_built": sum(1 for t in tables if t.row_built),
            "views": sum(1 for t in self.tables if t.kind == "view"),
            "functions": len(self.functions),
            "cells": self.cells,
            "unbuildable": len(self.unbuildable),
            "errors": len(self.errors),
            "undecided": len(self.undecided),
            "leaks": len(self.leaks),
        }

    @property
    def complete(self) -> bool:
        """Every table has a row, every call ran for some actor, nothing errored or leaked, and
        verify-access passes on the file."""
        return bool(self.verify.get("passed")) and not (self.unbuildable or self.errors or self.undecided or self.leaks)


def _load_tables(conn: psycopg.Connection, oids: Sequence[int], exposed: set[int]) -> dict[str, _CatTable]:
    """The catalog facts of relations ``oids`` and, transitively, the tables their foreign keys reach
    (outside the Supabase-managed schemas)."""
    tables: dict[str, _CatTable] = {}
    pending = list(oids)
    seen: set[int] = set()
    while pending:
        oid = pending.pop(0)
        if oid in seen:
            continue
        seen.add(oid)
        row = conn.execute(
            "select n.nspname, c.relname, c.relkind::text from pg_catalog.pg_class as c "
            "join pg_catalog.pg_namespace as n on n.oid = c.relnamespace where c.oid = %s",
            (oid,),
        ).fetchone()
        assert row is not None
        schema, relname, kind = row
        name = f"{schema}.{relname}"
        columns: dict[str, _CatColumn] = {}
        for (
            attname, type_, category, base, notnull, has_default, generated, labels, table_checks, domain_checks
        ) in conn.execute(
            """
            select a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), b.typcategory::text,
                b.typname::text,
                a.attnotnull or coalesce(t.typnotnull, false),
                a.atthasdef or a.attidentity <> '' or a.attgenerated <> '' or t.typdefault is not null,
                a.attidentity <> '' or a.attgenerated <> '',
                array(select e.enumlabel::text from pg_catalog.pg_enum as e where e.enumtypid = b.oid
                      order by e.enumsortorder),
                array(select pg_catalog.pg_get_constraintdef(k.oid) from pg_catalog.pg_constraint as k
                      where k.conrelid = a.attrelid and k.contype = 'c' and k.conkey = array[a.attnum]),
                array(select pg_catalog.pg_get_constraintdef(k.oid) from pg_catalog.pg_constraint as k
                      where k.contypid = t.oid and k.contype = 'c')
            from pg_catalog.pg_attribute as a
            join pg_catalog.pg_type as t on t.oid = a.atttypid
            join pg_catalog.pg_type as b on b.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
            where a.attrelid = %s and a.attnum > 0 and not a.attisdropped
            order by a.attnum
            """,
            (oid,),
        ).fetchall():  # fmt: skip
            columns[attname] = _CatColumn(
                attname, type_, category, base, bool(notnull and not has_default), bool(generated),
                list(labels), [*table_checks, *domain_checks],
            )  # fmt: skip
        primary_key: list[str] = []
        uniques: list[list[str]] = []
        foreign_keys: list[_CatForeignKey] = []
        for contype, cols, target_oid, target, target_cols in conn.execute(
            """
            select c.contype::text,
                array(select a.attname::text from unnest(c.conkey) with ordinality as k (n, o)
                      join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and a.attnum = k.n order by k.o),
                c.confrelid::int, format('%%s.%%s', fn.nspname, fc.relname),
                array(select a.attname::text from unnest(c.confkey) with ordinality as k (n, o)
                      join pg_catalog.pg_attribute as a on a.attrelid = c.confrelid and a.attnum = k.n order by k.o)
            from pg_catalog.pg_constraint as c
            left join pg_catalog.pg_class as fc on fc.oid = c.confrelid
            left join pg_catalog.pg_namespace as fn on fn.oid = fc.relnamespace
            where c.conrelid = %s and c.contype in ('p', 'u', 'f')
            order by c.contype, c.conname
            """,
            (oid,),
        ).fetchall():
            if contype == "p":
                primary_key = list(cols)
                uniques.append(list(cols))
            elif contype == "u":
                uniques.append(list(cols))
            else:
                foreign_keys.append(_CatForeignKey(list(cols), target, list(target_cols)))
                if target.split(".", 1)[0] not in EXCLUDED_SCHEMAS:
                    pending.append(target_oid)
        multi_checks: dict[str, list[str]] = {}
        for conname, definition, cols in conn.execute(
            "select c.conname::text, pg_catalog.pg_get_constraintdef(c.oid), "
            "array(select a.attname::text from unnest(c.conkey) as k (n) "
            "join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and a.attnum = k.n) "
            "from pg_catalog.pg_constraint as c where c.conrelid = %s and c.contype = 'c' "
            "and cardinality(c.conkey) > 1",
            (oid,),
        ).fetchall():
            multi_checks[conname] = list(cols)
            for column in cols:
                if column in columns:
                    columns[column].related.append(definition)
        owner_columns: dict[str, str] = {}
        for fk in foreign_keys:
            if fk.target == "auth.users" and len(fk.columns) == 1:
                owner_columns.setdefault(fk.columns[0], f"a foreign key to auth.users ({fk.target_columns[0]})")
        for policy, expr in conn.execute(
            "select p.polname::text, e.expr from pg_catalog.pg_policy as p "
            "cross join lateral (values (pg_catalog.pg_get_expr(p.polqual, p.polrelid)), "
            "(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))) as e (expr) "
            "where p.polrelid = %s and e.expr is not null order by 1",
            (oid,),
        ).fetchall():
            for pattern in _OWNER_PATTERNS:
                for match in pattern.finditer(expr):
                    qualifier, column = match.group(1), match.group(2)
                    if qualifier not in (None, relname) or column not in columns:
                        continue
                    if columns[column].base in ("uuid", "text", "varchar") and column not in owner_columns:
                        owner_columns[column] = f"policy {policy} compares it with auth.uid()"
        base_tables: list[str] = []
        if kind in ("v", "m"):
            base_tables = [
                r[0]
                for r in conn.execute(
                    "select distinct format('%%s.%%s', n.nspname, c.relname) from pg_catalog.pg_rewrite as r "
                    "join pg_catalog.pg_depend as d on d.classid = 'pg_catalog.pg_rewrite'::regclass "
                    "and d.objid = r.oid and d.refclassid = 'pg_catalog.pg_class'::regclass "
                    "join pg_catalog.pg_class as c on c.oid = d.refobjid "
                    "join pg_catalog.pg_namespace as n on n.oid = c.relnamespace "
                    "where r.ev_class = %s and d.refobjid <> %s and c.relkind in ('r', 'p', 'v', 'm', 'f')",
                    (oid, oid),
                ).fetchall()
            ]
        tables[name] = _CatTable(
            name, kind, oid in exposed, columns, primary_key, uniques, foreign_keys, owner_columns, base_tables,
            multi_checks,
        )  # fmt: skip
    return tables


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_value(value: Any) -> str:
    """A TOML literal for ``value``: strings (JSON escapes are valid TOML basic-string escapes), numbers,
    booleans, dates, lists and inline tables.

    Raises:
        TypeError: another type.
    """
    import datetime as _dt
    import json as _json

    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _json.dumps(value, ensure_ascii=False)
    if isinstance(value, _dt.date | _dt.datetime | _dt.time):
        return value.isoformat()
    raise TypeError(f"no TOML literal for {value!r}")


def _sample(value: Any) -> Any:
    """``value`` with its references replaced by stand-ins, to test it against CHECK constraints."""
    samples = {"user.id": _SAMPLE_USER, "user.email": "probe@access.khepri.test", "run.id": _SAMPLE_RUN}
    if isinstance(value, str):
        refs = find_references(value)
        if len(refs) == 1 and value == "{" + refs[0] + "}":
            return samples.get(refs[0])
        return _REF.sub(lambda m: str(samples.get(m.group(1), "x")), value)
    return value


class _Generator:
    """Infers row factories and calls from the catalog, then observes the rights with :class:`_Runner`."""

    def __init__(self, conn: psycopg.Connection, path: Path, exposed: Sequence[str]) -> None:
        self.conn = conn
        self.path = path
        self.objects = exposed_objects(conn, exposed)
        relation_oids = [o.oid for o in self.objects if o.kind != "function"]
        self.catalog = _load_tables(conn, relation_oids, set(relation_oids))
        self.reasons: dict[str, str] = {}  # table -> why no row
        self.keys: dict[str, str] = {}  # table -> its key in the file
        self.notes: dict[str, list[str]] = {}
        self._probe_tables = 0
        self.distinct: set[str] = set()  # tables whose text values must differ per owner (a trigger derives a key)
        self.on_conflict: dict[str, list[str]] = {}  # table -> the unique key a trigger-made row already holds
        self._single: sql.Identifier | None = None  # the copy of the table being filled with single-column checks

    # rows ------------------------------------------------------------------------------------------

    def _candidates(self, table: _CatTable, column: _CatColumn, unique: bool, shared: bool) -> list[Any]:
        """Values to try for ``column``, best first (the CHECK constraints decide among them)."""
        checks = " ".join(column.checks)
        related = " ".join(column.related)
        strings = [s.replace("''", "'") for s in _CHECK_STRINGS.findall(checks)]
        strings += [s.replace("''", "'") for s in _CHECK_STRINGS.findall(related) if s not in strings]
        numbers = _CHECK_NUMBERS.findall(_CHECK_STRINGS.sub("", checks + " " + related))
        numbers += re.findall(r"\{(\d+)(?:,\d*)?\}", checks)  # regex repetitions: '^[0-9a-f]{64}$'

        tag = "{run.id}" if shared else "{user.id}"
        if column.labels:
            return list(column.labels)
        if column.category == "A":
            return [{"sql": "'{}'"}]
        base = column.base
        if base == "uuid":
            return [{"sql": "gen_random_uuid()"}]
        if base == "bool":
            return [True, False]
        if column.category == "N":
            values: list[Any] = []
            for text in numbers:
                number = float(text) if "." in text else int(text)
                values += [number, number + 1, number - 1]
            values += [1, 0, 100]
            if base in ("int2", "int4", "int8"):
                values = [v for v in values if isinstance(v, int)] or [1]
            if unique:
                return [{"sql": f"(floor(random() * 1000000000))::{column.type}"}, *values]
            return values
        if base in ("json", "jsonb"):
            return [{}, [], {"sql": "'{}'"}]
        if base == "date":
            return [{"sql": "current_date"}]
        if base in ("timestamp", "timestamptz"):
            return [{"sql": "now()"}]
        if base in ("time", "timetz"):
            return ["12:00"]
        if base == "interval":
            return ["1 day"]
        if base == "inet" or base == "cidr":
            return ["127.0.0.1"]
        if base == "bytea":
            return [{"sql": "'\\x00'::bytea"}]
        if column.category == "S":
            name = column.name.lower()
            values = []
            if "email" in name:
                values.append("{user.email}" if not shared else "ref-{run.id}@access.khepri.test")
            if "url" in name or "website" in name or "link" in name:
                values.append(f"https://example.com/{tag}")
            values += strings
            lengths = sorted({int(n) for n in numbers if "." not in n and 0 < int(n) <= 200})
            word = re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "x"
            values.append(f"{word}-{tag}" if unique else word if not strings else strings[0])
            if unique:  # a shorter unique value, for length limits
                values.append({"sql": f"'{word[:20]}-' || substr(md5(random()::text), 1, 8)"})
            values += [f"{word}-{tag}", word]
            for n in lengths:
                values += ["x" * n, "x" * max(n - 1, 1), "x" * (n + 1), "0" * n, "a" * n]
            values += ["x", "a", "A"]
            return values
        return []

    def _fits(self, probe: sql.Identifier, chosen: Mapping[str, Any], table: _CatTable) -> tuple[str, str] | None:
        """None when ``chosen`` passes the table's CHECK constraints (tested on a constraint copy of the
        table with every column nullable), else (Postgres' message, the constraint's name or "")."""
        columns = list(chosen)
        rendered: list[sql.Composable] = []
        params: list[Any] = []
        for name in columns:
            value = chosen[name]
            if isinstance(value, dict) and set(value) == {"sql"}:
                rendered.append(sql.SQL("(" + value["sql"].replace("%", "%%") + ")"))
                continue
            base = table.columns[name].base
            bound = _sample(value)
            if bound is None:  # the parent row's value: any value of the type will do for a CHECK
                bound = _SAMPLE_USER if base == "uuid" else 1 if table.columns[name].category == "N" else "x"
            if base in ("json", "jsonb") and not isinstance(bound, str):
                bound = Jsonb(bound)
            rendered.append(sql.Composed([sql.Placeholder(), sql.SQL("::" + table.columns[name].type)]))
            params.append(bound)
        if not columns:
            return None
        query = sql.SQL("insert into {} ({}) values ({})").format(
            probe, sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.SQL(", ").join(rendered)
        )
        try:
            with self.conn.transaction(force_rollback=True):
                self.conn.execute(query, params)
        except psycopg.Error as exc:
            return _message(exc), exc.diag.constraint_name or ""
        return None

    def _valid_candidates(self, table: _CatTable, column: _CatColumn, unique: bool, shared: bool) -> Iterator[Any]:
        """The candidates of ``column`` that pass its own CHECK constraints (and its domain's)."""
        assert self._single is not None
        for candidate in self._candidates(table, column, unique, shared):
            if self._fits(self._single, {column.name: candidate}, table) is None:
                yield candidate

    def _settle(
        self, probe: sql.Identifier, table: _CatTable, row: Mapping[str, Any], shared: bool
    ) -> tuple[dict[str, Any] | None, str]:
        """``row`` completed so it passes the CHECK constraints: when one over several columns fails,
        set its other columns (their candidates, one column at a time); (row or None, last message)."""
        trial = dict(row)
        unique_columns = {c for cols in table.uniques for c in cols}
        for _ in range(8):
            failure = self._fits(probe, trial, table)
            if failure is None:
                return trial, ""
            message, constraint = failure
            others = [c for c in table.multi_checks.get(constraint, []) if c not in trial
                      and not table.columns[c].generated]  # fmt: skip
            moved = False
            for other in others:  # set them one after the other, keeping values that break nothing else
                for candidate in self._valid_candidates(table, table.columns[other], other in unique_columns, shared):
                    again = self._fits(probe, {**trial, other: candidate}, table)
                    if again is None:
                        return {**trial, other: candidate}, ""
                    if again[1] == constraint:
                        trial[other] = candidate
                        moved = True
                        break
            if not moved:
                return None, message
        return None, message

    def infer_rows(self, declared: Mapping[str, str]) -> dict[str, dict[str, Any]]:
        """Table name -> the generated ``[tables.x]`` entry (row, match, shared), for every catalog table
        not in ``declared`` (name -> key of the tables the file already declares). Records the tables
        without one in :attr:`reasons`."""
        sorter: dict[str, set[str]] = {}
        for name, table in self.catalog.items():
            deps = {fk.target for fk in table.foreign_keys if fk.target in self.catalog and fk.target != name}
            sorter[name] = deps | set(b for b in table.base_tables if b in self.catalog)
        try:
            order = list(graphlib.TopologicalSorter(sorter).static_order())
        except graphlib.CycleError:
            order = list(self.catalog)
        keys = self.keys = dict(declared)
        owned: set[str] = set(declared)  # declared tables: assume per-owner unless marked shared
        entries: dict[str, dict[str, Any]] = {}
        position = {name: i for i, name in enumerate(order)}
        for name in order:
            if name in declared or name not in self.catalog or name in self.reasons:
                continue
            table = self.catalog[name]
            if table.kind in ("v", "m"):
                continue
            notes = self.notes[name] = []
            row: dict[str, Any] = {}
            problem: str | None = None
            for fk in table.foreign_keys:
                needed = any(table.columns[c].required for c in fk.columns)
                if fk.target == "auth.users":
                    for column, target_column in zip(fk.columns, fk.target_columns, strict=True):
                        known = target_column in ("id", "email", "phone")
                        row.setdefault(column, f"{{user.{target_column}}}" if known else None)
                    continue
                if fk.target == name:
                    if needed:
                        problem = f"{', '.join(fk.columns)} must reference a row of the table itself"
                    continue
                parent_key = keys.get(fk.target)
                if parent_key is None or fk.target in self.reasons:
                    if needed:
                        problem = f"{', '.join(fk.columns)} references {fk.target}, which has no row factory"
                    continue
                if not needed and position.get(fk.target, -1) > position[name]:
                    continue
                if not needed and fk.target not in owned:
                    continue  # an optional link to reference data: left null
                for column, target_column in zip(fk.columns, fk.target_columns, strict=True):
                    row.setdefault(column, f"{{{parent_key}.{target_column}}}")
            row = {c: v for c, v in row.items() if v is not None}
            for column, why in table.owner_columns.items():
                if column not in row:
                    row[column] = "{user.id}"
                    notes.append(f"owner column {column}: {why}")
                elif row[column] == "{user.id}":
                    notes.append(f"owner column {column}: {why}")
            shared = not any(
                ref.split(".")[0] == "user" or self._table_of(ref, keys) in owned
                for value in row.values()
                for ref in find_references(value)
            )
            if problem is None:
                problem = self._fill(table, row, shared)
            if problem is not None:
                self.reasons[name] = problem
                continue
            update_columns: list[str] | None = None
            if not row:
                row = self._any_column(table)
                if not row:  # a row of defaults only; the update probe sets some column to itself
                    settable = [c.name for c in table.columns.values() if not c.generated]
                    plain = [c for c in settable if c not in table.primary_key] or settable
                    if not plain:
                        self.reasons[name] = "it has no column the factory or the update probe could set"
                        continue
                    update_columns = plain[:1]
            key = name[len("public.") :] if name.startswith("public.") else name
            keys[name] = key
            entry: dict[str, Any] = {"row": row}
            if update_columns is not None:
                entry["update_columns"] = update_columns
                notes.append("every column has a default: the row is made of defaults (row = {})")
            if name in self.on_conflict:
                entry["on_conflict"] = self.on_conflict[name]
                notes.append(
                    f"on_conflict: the owner's row already exists when the user is created (a trigger on auth.users "
                    f"makes it); the factory updates it through its key ({', '.join(self.on_conflict[name])})"
                )
            if shared:
                entry["shared"] = True
                notes.append("shared: its row references no owner (reference data), so one row serves everybody")
            else:
                owned.add(name)
            if not table.primary_key:
                entry["match"] = " and ".join(f'"{c}" = {{row.{c}}}' for c in row)
            entries[name] = entry
        for name in order:
            table = self.catalog.get(name)
            if table is None or table.kind not in ("v", "m") or name in declared or not table.exposed:
                continue
            entries[name] = self._view_entry(table, keys)
            keys[name] = name.removeprefix("public.")
        return entries

    def retry(self, failure: RowFactoryError, entry: Mapping[str, Any]) -> bool:
        """Whether another factory may work after ``failure`` of ``entry`` (a unique violation): the row a
        trigger made for the new user (its key is the user's) is updated instead; a key a trigger derives
        from the row's text gets per-owner text values. False when neither applies or was tried."""
        if failure.sqlstate != "23505" or failure.constraint is None:
            return False
        table = self.catalog[failure.table]
        row = entry.get("row", {})
        columns = self._constraint_columns(failure.table, failure.constraint)
        # The key comes from the owner (their user or their parent rows): a trigger made the row already.
        from_user = bool(columns) and all(
            isinstance(row.get(c), str) and bool(find_references(row[c])) and row[c].startswith("{") for c in columns
        )
        if from_user and failure.table not in self.on_conflict:
            self.on_conflict[failure.table] = columns
            return True
        if failure.table not in self.distinct and any(c.category == "S" for c in table.columns.values()):
            self.distinct.add(failure.table)
            return True
        return False

    def _constraint_columns(self, table: str, constraint: str) -> list[str]:
        """The columns of the unique index (a constraint's, or one made by ``create unique index``) named
        ``constraint`` on ``table``; [] for expression or partial indexes."""
        row = self.conn.execute(
            "select array(select a.attname::text from unnest(i.indkey) with ordinality as k (n, o) "
            "join pg_catalog.pg_attribute as a on a.attrelid = i.indrelid and a.attnum = k.n order by k.o), "
            "i.indexprs is null and i.indpred is null "
            "from pg_catalog.pg_index as i join pg_catalog.pg_class as c on c.oid = i.indexrelid "
            "where i.indrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and c.relname = %s",
            (*table.split(".", 1), constraint),
        ).fetchone()
        return list(row[0]) if row and row[1] else []

    def _table_of(self, ref: str, keys: Mapping[str, str]) -> str | None:
        for name, key in keys.items():
            if ref.startswith(key + "."):
                return name
        return None

    def _any_column(self, table: _CatTable) -> dict[str, Any]:
        """A row for a table whose columns all have defaults: one nullable text column set, else {}."""
        for column in table.columns.values():
            if not column.generated and column.category == "S" and column.name not in table.primary_key:
                return {column.name: f"{column.name} {{user.id}}"}
        return {}

    def _fill(self, table: _CatTable, row: dict[str, Any], shared: bool) -> str | None:
        """Add a value for every required column to ``row``, each tested against the CHECK constraints;
        the reason when a column has no value that fits."""
        self._probe_tables += 1
        probe = sql.Identifier(f"khepri_access_probe_{self._probe_tables}")
        with self.conn.transaction(force_rollback=True):
            self.conn.execute(
                sql.SQL("create temporary table {} (like {} including constraints including defaults)").format(
                    probe, sql.Identifier(table.schema, table.table)
                )
            )
            for column in table.columns.values():  # every column nullable: the copy tests CHECK constraints only
                self.conn.execute(
                    sql.SQL("alter table {} alter column {} drop not null").format(probe, sql.Identifier(column.name))
                )
            self._single = sql.Identifier(f"khepri_access_probe_{self._probe_tables}_single")
            self.conn.execute(
                sql.SQL("create temporary table {} (like {} including defaults)").format(
                    self._single, sql.Identifier(table.schema, table.table)
                )
            )
            for column in table.columns.values():
                self.conn.execute(
                    sql.SQL("alter table {} alter column {} drop not null").format(
                        self._single, sql.Identifier(column.name)
                    )
                )
            for (definition,) in self.conn.execute(
                "select pg_catalog.pg_get_constraintdef(c.oid) from pg_catalog.pg_constraint as c "
                "where c.conrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and c.contype = 'c' "
                "and cardinality(c.conkey) = 1",
                (table.schema, table.table),
            ).fetchall():
                self.conn.execute(sql.SQL("alter table {} add {}").format(self._single, sql.SQL(definition)))
            unique_columns = {c for cols in table.uniques for c in cols}
            if table.name in self.distinct:
                unique_columns |= {c.name for c in table.columns.values() if c.category == "S"}
            for column in table.columns.values():
                if not column.required or column.name in row:
                    continue
                if not self._candidates(table, column, column.name in unique_columns, shared):
                    return f"{column.name}: no value known for type {column.type}"
                candidates = list(self._valid_candidates(table, column, column.name in unique_columns, shared))
                if not candidates:
                    return f"{column.name}: no value tried satisfies its own check constraints"
                last = ""
                for candidate in candidates:
                    settled, last = self._settle(probe, table, {**row, column.name: candidate}, shared)
                    if settled is not None:
                        row.clear()
                        row.update(settled)
                        break
                else:
                    return f"{column.name}: no value tried satisfies its constraints ({last})"
        return None

    def _view_entry(self, table: _CatTable, keys: Mapping[str, str]) -> dict[str, Any]:
        """A view's entry: found through its one base table's primary key when the view shows it, else
        every row it shows (``match = "true"``)."""
        bases = [b for b in table.base_tables if b in self.catalog and self.catalog[b].kind in ("r", "p")]
        if len(bases) == 1 and bases[0] in keys and bases[0] not in self.reasons:
            base = self.catalog[bases[0]]
            if base.primary_key and all(c in table.columns for c in base.primary_key):
                self.notes[table.name] = [f"the target row is the owner's row of {bases[0]}, found by its primary key"]
                return {"match": " and ".join(f'"{c}" = {{{keys[bases[0]]}.{c}}}' for c in base.primary_key)}
        self.notes[table.name] = [
            "no single base table with its primary key in the view: the probes target every row it shows"
        ]
        return {"match": "true"}

    # functions --------------------------------------------------------------------------------------

    def function_entries(self, declared: set[int], keys: Mapping[str, str]) -> dict[str, tuple[int, dict[str, Any]]]:
        """Function key -> (oid, entry with ``call``) for every exposed function not in ``declared``."""
        names: dict[str, int] = {}
        for obj in self.objects:
            if obj.kind == "function":
                base = obj.name.split("(", 1)[0]
                names[base] = names.get(base, 0) + 1
        entries: dict[str, tuple[int, dict[str, Any]]] = {}
        for obj in self.objects:
            if obj.kind != "function" or obj.oid in declared:
                continue
            schema_name = obj.name.partition("(")[0]
            key = obj.name if names[schema_name] > 1 else schema_name
            row = self.conn.execute(
                "select p.pronargs, p.pronargdefaults, coalesce(p.proargnames, '{}'::text[]), "
                "array(select pg_catalog.format_type(t, null) from unnest(p.proargtypes) as t), "
                "array(select b.typcategory::text from unnest(p.proargtypes) with ordinality as a (t, o) "
                "      join pg_catalog.pg_type as ty on ty.oid = a.t join pg_catalog.pg_type as b "
                "      on b.oid = case when ty.typtype = 'd' then ty.typbasetype else ty.oid end order by a.o), "
                "array(select e.enumlabel::text from unnest(p.proargtypes) with ordinality as a (t, o) "
                "      left join lateral (select e.enumlabel from pg_catalog.pg_enum as e where e.enumtypid = a.t "
                "      order by e.enumsortorder limit 1) as e on true order by a.o), "
                "coalesce(p.proargmodes, '{}'::\"char\"[])::text[] "
                "from pg_catalog.pg_proc as p where p.oid = %s",
                (obj.oid,),
            ).fetchone()
            assert row is not None
            nargs, ndefaults, argnames, types, kinds, labels, modes = row
            in_names = [
                n for n, m in zip(argnames, modes or ["i"] * len(argnames), strict=False) if m in ("i", "b", "v")
            ]
            if not modes:
                in_names = list(argnames)
            values = []
            for index in range(nargs - ndefaults):
                argname = in_names[index] if index < len(in_names) else ""
                values.append(self._argument(argname, types[index], kinds[index], labels[index], keys))
            entry: dict[str, Any] = {}
            qualified = ".".join(
                part if re.fullmatch(r"[a-z_][a-z0-9_]*", part) else sql.Identifier(part).as_string(self.conn)
                for part in schema_name.split(".", 1)
            )
            if values or nargs:
                entry["call"] = f"select {qualified}({', '.join(values)})"
            entries[key] = (obj.oid, entry)
        return entries

    def _argument(self, name: str, type_: str, kind: str, label: str | None, keys: Mapping[str, str]) -> str:
        """An SQL expression for one argument: the owner's row or user when the name says so, else a
        plain value of the type."""
        bare = name.lower().removeprefix("p_").removeprefix("_").removeprefix("in_")
        category = kind
        if bare.endswith("_id") or bare == "id":
            stem = bare.removesuffix("_id")
            if (
                stem in ("user", "uid", "owner", "profile")
                and type_ == "uuid"
                and not any(k.split(".")[-1] in (stem + "s", stem) for k in keys.values())
            ):
                return "{user.id}::uuid"
            for table_name, key in keys.items():
                if table_name in self.reasons:
                    continue
                short = key.split(".")[-1]
                plurals = (stem, stem + "s", stem + "es", stem.removesuffix("y") + "ies")
                if short in plurals or any(short.endswith("_" + p) for p in plurals):
                    table = self.catalog.get(table_name)
                    if table and "id" in table.columns:
                        return f"{{{key}.id}}::{type_}"
        if type_ == "uuid":
            return "{user.id}::uuid" if "user" in bare else "gen_random_uuid()"
        if label is not None:
            return "'" + label.replace("'", "''") + "'::" + type_
        if category == "A" or type_.endswith("[]"):
            return f"'{{}}'::{type_}"
        if category == "N":
            return f"1::{type_}"
        if category == "B":
            return "true"
        if type_ in ("json", "jsonb"):
            return f"'{{}}'::{type_}"
        if category == "D":
            return f"now()::{type_}"
        if category == "S":
            return f"'x'::{type_}"
        return f"null::{type_}"


def _observe(
    conn: psycopg.Connection, path: Path, document: dict[str, Any]
) -> tuple[Declaration, list[CellResult]] | RowFactoryError:
    """Run the verify-access probes on ``document`` (in a savepoint rolled back): the cells, or the first
    row factory that failed."""
    decl = _validate(path, [], AccessFile.model_validate(document))
    runner = _Runner(conn, decl)
    with conn.transaction(force_rollback=True):
        runner.load_catalog()
        try:
            with conn.transaction():
                runner.setup()
        except RowFactoryError as exc:
            return exc
        cells = [*runner.table_cells(), *runner.function_cells()]
    return decl, cells


def _history(conn: psycopg.Connection) -> str:
    """``N migration(s), latest <version>_<name>`` from ``supabase_migrations.schema_migrations``."""
    if conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone() == (None,):
        return "no migration history (supabase_migrations.schema_migrations is missing)"
    with conn.transaction():
        count, latest = conn.execute(
            "select count(*), max(version || coalesce('_' || name, '')) from supabase_migrations.schema_migrations"
        ).fetchone() or (0, None)
    return f"{count} migration(s) applied, latest {latest}" if count else "no migration applied"


def _allow_lines(allowed: Mapping[str, Sequence[str]], ops: Sequence[str] | None) -> list[str]:
    lines = []
    for actor, chosen in allowed.items():
        if not chosen:
            continue
        if ops is not None and list(chosen) == list(ops):
            lines.append(f'allow.{actor} = "all"')
        else:
            lines.append(f"allow.{actor} = {_toml_value(list(chosen))}")
    return lines


def init_access(
    url: str,
    path: Path,
    *,
    project: Project | None = None,
    exposed_schemas: Sequence[str] | None = None,
    update: bool = False,
    force: bool = False,
) -> AccessInitResult:
    """Write an access declaration for the database at ``url`` from what it allows now (``access init``).

    For every exposed table, view and function (the objects :func:`verify_access` requires declared)
    it infers a row factory from the catalog (required columns valued from their type, enum labels
    and simple CHECK constraints, each value tested against a constraint copy of the table; foreign
    keys to the owner's rows of the parent tables, built first; the owner column from policies
    comparing a column with ``auth.uid()`` and from foreign keys to ``auth.users``), then runs the
    verify-access probes (:class:`_Runner`, the same code) with nothing allowed, and declares allowed
    exactly what succeeded. Each section lists its generated parts in ``unreviewed``; the header says
    the file was generated, from which database and migration history, and that each cell needs
    review. Tables whose row cannot be built are written as comments with the reason (verify-access
    then reports them as undeclared). Finally verify-access runs on the written file.

    Args:
        url: the migrated database; connect as the role owning the tables (``postgres``).
        path: the declaration to write (``supabase/access.toml``).
        project: for ``[api] schemas`` (default: discovered from the cwd).
        exposed_schemas: as for :func:`verify_access`.
        update: keep ``path`` as it is (every person's edit) and append the exposed objects it does
            not declare yet.
        force: overwrite ``path`` if it exists.

    Returns:
        The :class:`AccessInitResult` (with the verify-access summary of the written file).

    Raises:
        UsageError: ``path`` exists and neither ``update`` nor ``force`` is given; the URL is the
            transaction pooler; the API roles are missing.
        AccessDeclarationError: in ``update`` mode, the existing file is invalid or does not fit the
            database (a person-written row factory fails).
        ConnectionFailedError: the database cannot be reached.
    """
    import datetime as _dt

    project = project or Project.discover()
    if path.exists() and not (update or force):
        raise UsageError(
            f"{path} exists; not overwriting it",
            hint="pass --update to add the objects it lacks (keeping your edits), or --force to replace it",
        )
    update = update and path.exists()
    existing: Declaration | None = load_declaration(path) if update else None
    raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8")) if update else {}
    require_session_connection(url, "access init")
    with connect(url) as conn:
        target = _require_api_roles(conn, url)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        try:
            history = _history(conn)
            declared_tables: dict[str, str] = {}
            declared_oids: set[int] = set()
            if existing is not None:
                runner = _Runner(conn, existing)
                runner.load_catalog()
                declared_tables = {t.name: t.key for t in existing.tables}
                declared_oids = {oid for oid, _, _ in runner.functions.values()}
            generator = _Generator(conn, path, exposed.schemas)
            for _attempt in range(3 * len(generator.catalog) + 1):
                entries = generator.infer_rows(declared_tables)
                functions = generator.function_entries(declared_oids, generator.keys)
                document = {
                    "version": 1,
                    "actors": raw.get("actors", {}),
                    "tables": {**raw.get("tables", {}),
                               **{generator.keys.get(n, n): {**e, "allow": {}} for n, e in entries.items()}},
                    "functions": {**raw.get("functions", {}), **{k: {**e} for k, (_, e) in functions.items()}},
                }  # fmt: skip
                observed = _observe(conn, path, document)
                if not isinstance(observed, RowFactoryError):
                    break
                if observed.table not in entries:
                    raise observed
                if generator.retry(observed, entries[observed.table]):
                    continue
                generator.reasons[observed.table] = f"making its row failed: {observed.reason}"
            else:  # pragma: no cover - every failing table is dropped, so this cannot loop forever
                raise AccessDeclarationError(f"{path}: could not build the row factories")
        finally:
            conn.rollback()
    decl, cells = observed
    actors = decl.actors
    by_object: dict[str, dict[str, list[str]]] = {}
    errors: list[str] = []
    leaks: list[str] = []
    function_errors: dict[str, dict[str, str | None]] = {}
    undecided: list[str] = []
    for cell in cells:
        allowed = by_object.setdefault(cell.object, {a: [] for a in actors})
        if cell.actual == "allowed":
            allowed[cell.actor].append(cell.operation)
        if cell.leak:
            leaks.append(f"{cell.id}: {cell.leak}")
        if cell.actual == "error":
            if cell.kind == "function":
                function_errors.setdefault(cell.object, {})[cell.actor] = cell.sqlstate
            else:
                errors.append(f"{cell.id}: {cell.detail}")
    generated_tables = {n for n in entries}
    table_decls = {t.name: t for t in decl.tables}
    sections: list[str] = []
    results: list[GeneratedTable] = []
    written_cells = 0
    for name, table in generator.catalog.items():
        if name in declared_tables or not (table.exposed or name in generated_tables):
            continue
        kind: Literal["table", "view"] = "view" if table.kind in ("v", "m") else "table"
        notes = list(generator.notes.get(name, []))
        if not table.exposed:
            notes.insert(0, "not exposed by the Data API: declared because rows of exposed tables reference it")
        if name not in generated_tables:
            reason = generator.reasons.get(name, "no row factory")
            results.append(GeneratedTable(name=name, kind=kind, row_built=False, reason=reason, notes=notes,
                                          exposed=table.exposed))  # fmt: skip
            key = name.removeprefix("public.")
            sections.append(f"# [tables.{_toml_key(key)}]: no row could be built: {reason}\n")
            continue
        entry = entries[name]
        tdecl = table_decls[name]
        allowed = by_object.get(name, {a: [] for a in actors})
        lines = [f"[tables.{_toml_key(tdecl.key)}]"]
        lines += [f"# {n}" for n in notes]
        lines += [f"# observed LEAK: {x}" for x in leaks if x.startswith(f"{name}:")]
        lines += [f"# observed ERROR: {x}" for x in errors if x.startswith(f"{name}:")]
        for part in ("row", "match", "update_columns"):
            if part in entry:
                lines.append(f"{part} = {_toml_value(entry[part])}")
        if entry.get("shared"):
            lines.append("shared = true")
        if entry.get("on_conflict"):
            lines.append(f"on_conflict = {_toml_value(entry['on_conflict'])}")
        lines += _allow_lines(allowed, OPERATIONS)
        parts = [p for p in ("row", "match") if p in entry]
        lines.append(f"unreviewed = {_toml_value([*parts, *actors])}")
        sections.append("\n".join(lines) + "\n")
        written_cells += len(actors) * len(OPERATIONS)
        results.append(GeneratedTable(name=name, kind=kind, row_built="row" in entry, notes=notes,
                                      exposed=table.exposed))  # fmt: skip
    function_names: list[str] = []
    displays = {o.oid: o.name for o in generator.objects if o.kind == "function"}
    for key, (oid, entry) in functions.items():
        display = displays[oid]
        function_names.append(display)
        allowed_actors = [a for a in actors if EXECUTE in by_object.get(display, {}).get(a, [])]
        failed = function_errors.get(display, {})
        lines = [f"[functions.{_toml_key(key)}]"]
        denied_states: list[str] = []
        if failed and allowed_actors:
            denied_states = sorted({s for s in failed.values() if s})
            lines.append(
                f"# observed: the call completed for {', '.join(allowed_actors)} and failed with SQLSTATE "
                f"{', '.join(denied_states)} for {', '.join(failed)}: taken as the function refusing them"
            )
        elif failed:
            denied_states = sorted({s for s in failed.values() if s})
            states = ", ".join(denied_states) or "?"
            lines.append(
                f"# UNDECIDED: the generated call failed for every actor (SQLSTATE {states}), so these cells only say"
            )
            lines.append(
                "# that this call fails: write a call that reaches the function's work, then review each actor"
            )
            undecided.append(f"{display}: the generated call failed for every actor (SQLSTATE {states})")
        if "call" in entry:
            lines.append(f"call = {_toml_value(entry['call'])}")
        lines.append(f"allow = {_toml_value(allowed_actors)}")
        if denied_states:
            lines.append(f"denied_sqlstates = {_toml_value(denied_states)}")
        parts = (["call"] if "call" in entry else []) + (["denied_sqlstates"] if denied_states else [])
        lines.append(f"unreviewed = {_toml_value([*parts, *actors])}")
        sections.append("\n".join(lines) + "\n")
        written_cells += len(actors)
    unbuildable = [t for t in results if not t.row_built and t.kind == "table"]
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        f"{GENERATED_MARK} on {now}" if not update else f"# -- added by `khepri-db access init --update` on {now}",
        f"# from {target.describe()} at {redact(url)}",
        f"# ({history}); exposed schemas: {', '.join(exposed.schemas)} (from {exposed.source}).",
        "# Every cell is what the database allowed when this was generated (observed), not what it should",
        "# allow: review each one, fix the policies or the declaration, then remove what you reviewed from",
        "# the section's `unreviewed` list (docs/access.md). Row factories and calls are inferred from the",
        "# catalog: review them too. `khepri-db access init --update` adds objects created since, keeping edits.",
    ]
    if unbuildable:
        header.append("#")
        header.append("# Tables without a row factory (write one by hand; verify-access reports them undeclared):")
        header += [f"#   {t.name}: {t.reason}" for t in unbuildable]
    if update:
        text = raw_text = path.read_text(encoding="utf-8")
        text = raw_text.rstrip("\n") + "\n\n" + "\n".join(header) + "\n\n" + "\n".join(sections)
    else:
        text = "\n".join(header) + "\n\nversion = 1\n\n" + "\n".join(sections)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    report = verify_access(url, path, project=project, exposed_schemas=exposed_schemas)
    return AccessInitResult(
        access_file=str(path),
        mode="update" if update else "create",
        target=target.to_dict(),
        exposed_schemas=exposed,
        tables=results,
        functions=function_names,
        cells=written_cells,
        unbuildable=unbuildable,
        errors=errors,
        undecided=undecided,
        leaks=leaks,
        kept=[*declared_tables, *(f.key for f in existing.functions)] if existing else [],
        verify={"passed": report.passed, **report.summary()},
    )
