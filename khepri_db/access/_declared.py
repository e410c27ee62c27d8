"""The declared access matrix as the probes read it: the operations and actors, references such as
``{user.id}``, and :class:`Declaration` with a :class:`TableDeclaration`, :class:`FunctionDeclaration`
or :class:`StorageDeclaration` per section; the errors a declaration raises.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from khepri_db.access._access_file import (
    ActorSpec,
    FunctionSpec,
    StorageSpec,
    TableSpec,
)
from khepri_db.core.errors import UsageError

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

IDENT = r"[A-Za-z_][A-Za-z0-9_$]*"
REF = re.compile(r"\{(" + IDENT + r"(?:\." + IDENT + r")+)\}")
TABLE_KEY = re.compile(rf"^{IDENT}(?:\.{IDENT})?(?:#[A-Za-z0-9_]+)?$")
VARIANT_REF = re.compile(r"\{(" + IDENT + r"(?:\." + IDENT + r")?#[^}]*)\}")
"""A ``{notes#shared.id}`` reference: variant rows cannot be referenced (``{notes.id}`` is the base row)."""

VARIANT_MARK = "#"
"""Separates a table from its variant in keys and object names: ``notes#shared``, ``public.notes#shared``."""
FUNCTION_KEY = re.compile(rf"^{IDENT}(?:\.{IDENT})?(?:\s*\(.*\))?$")
ACTOR_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
UNREVIEWED_PARTS = ("row", "match", "insert_row", "update_columns")
BUCKET_ID = re.compile(r"^[^/\\:\s][^/\\:]*$")

STORAGE_TABLE = "storage.objects"
"""The table whose rows are Storage's objects."""

Outcome = Literal["allowed", "denied", "error", "skipped"]

API_ROLE = {"anon": "anon", "service_role": "service_role"}
"""The API role of each actor that is not a signed-in user (every other actor is ``authenticated``)."""


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


class QualifiedName:
    """Mixin for objects whose ``name`` is ``schema.table``: its two parts."""

    name: str

    @property
    def schema(self) -> str:
        """The schema part of :attr:`name`."""
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        """The table part of :attr:`name`, without a variant (``notes`` for ``public.notes#shared``)."""
        return self.name.split(".", 1)[1].split(VARIANT_MARK, 1)[0]


@dataclass(frozen=True)
class TableDeclaration(QualifiedName):
    """One validated ``[tables.<key>]`` entry: a table's row, or one more row of it (a *variant*,
    ``[tables."notes#shared"]``, a row per policy branch).

    Attributes:
        key: the key as written (``athletes``, ``"notes#shared"``).
        name: the qualified name (``public.athletes``), with the variant for a variant
            (``public.notes#shared``): the object name of its cells in every report.
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
    def variant(self) -> str | None:
        """The variant (``shared`` of ``public.notes#shared``), or ``None`` for a table's base row."""
        return self.name.partition(VARIANT_MARK)[2] or None

    @property
    def relation(self) -> str:
        """The table's qualified name without the variant (``public.notes``)."""
        return self.name.partition(VARIANT_MARK)[0]


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
class StorageDeclaration:
    """One validated ``[storage.<bucket_id>]`` entry.

    Attributes:
        bucket: the bucket id (``storage.buckets.id``, ``storage.objects.bucket_id``).
        spec: the parsed entry.
        line: line of its section in the file.
        allowed: actor -> the operations declared allowed.
    """

    bucket: str
    spec: StorageSpec
    line: int | None
    allowed: dict[str, frozenset[str]]

    @property
    def name(self) -> str:
        """The object name in cell ids and reports: ``storage.objects[<bucket>]``."""
        return storage_object_name(self.bucket)


def storage_object_name(bucket: str) -> str:
    """``storage.objects[<bucket>]``: how cells, reports and the pytest plugin name a bucket's objects."""
    return f"{STORAGE_TABLE}[{bucket}]"


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
        storage: the Storage buckets declared, in file order.
    """

    path: Path
    actors: tuple[str, ...]
    custom_actors: dict[str, ActorSpec]
    tables: tuple[TableDeclaration, ...]
    functions: tuple[FunctionDeclaration, ...]
    factory_order: tuple[TableDeclaration, ...]
    storage: tuple[StorageDeclaration, ...] = ()

    @cached_property
    def _by_name(self) -> dict[str, TableDeclaration]:
        """The tables by qualified name (the first of a name), built on first use."""
        found: dict[str, TableDeclaration] = {}
        for table in self.tables:
            found.setdefault(table.name, table)
        return found

    @cached_property
    def _custom_actor_names(self) -> frozenset[str]:
        return frozenset(self.custom_actors)

    def resolve(self, text: str) -> Reference | None:
        """The :class:`Reference` a ``{text}`` placeholder names, or ``None`` if it names nothing declared."""
        return resolve_reference(text, self._by_name, self._custom_actor_names)

    def table(self, name: str) -> TableDeclaration:
        """The declaration of table ``name`` (qualified, or unqualified for ``public``).

        Raises:
            KeyError: not declared.
        """
        qualified = name if "." in name else f"public.{name}"
        if qualified in self._by_name:
            return self._by_name[qualified]
        raise KeyError(name)

    def undecided_reason(self, spec: TableSpec | FunctionSpec | StorageSpec, actor: str, operation: str) -> str | None:
        """Why the declaration leaves cell ``actor`` x ``operation`` of ``spec`` undecided, or ``None``.

        A table's ``unbuildable`` reason covers every cell; then ``actor:operation``, ``actor`` and
        ``*`` keys of ``undecided``, most specific first.
        """
        if isinstance(spec, TableSpec) and spec.unbuildable:
            return f"no row can be made: {spec.unbuildable}"
        for key in (f"{actor}:{operation}", actor, "*"):
            if key in spec.undecided:
                return spec.undecided[key]
        return None

    def accepted_risk(self, spec: TableSpec | FunctionSpec | StorageSpec, actor: str, operation: str) -> str | None:
        """Why the team accepts the risk of cell ``actor`` x ``operation`` of ``spec`` (its
        ``accepted_risks``: ``actor:operation``, ``actor`` then ``*``, most specific first), or ``None``."""
        for key in (f"{actor}:{operation}", actor, "*"):
            if key in spec.accepted_risks:
                return spec.accepted_risks[key]
        return None

    def cell_ids(self) -> list[str]:
        """Ids of every cell :func:`verify_access` decides, in report order.

        ``<table>:<actor>:<operation>`` for tables, ``<function>:<actor>:execute`` for functions and
        ``storage.objects[<bucket>]:<actor>:<operation>`` for Storage buckets, e.g.
        ``public.athletes:other:select``. Used by the pytest plugin to parametrize one test per cell.
        """
        ids = [f"{t.name}:{a}:{op}" for t in self.tables for a in self.actors for op in OPERATIONS]
        ids += [f"{f.cell_name}:{a}:{EXECUTE}" for f in self.functions for a in self.actors]
        ids += [f"{b.name}:{a}:{op}" for b in self.storage for a in self.actors for op in OPERATIONS]
        return ids


def find_references(text: str) -> list[str]:
    """The ``{a.b}`` references in ``text``, without braces, in order (e.g. ``["athletes.id"]``)."""
    return [m.group(1) for m in REF.finditer(text)]


def ownership_references(value: Any) -> list[str]:
    """The references in one row value that tie the row to someone: a string that is exactly one
    reference (``"{user.id}"``, ``"{athletes.id}"``: the value *is* the owner's id or row key) and every
    reference inside an ``{ sql = "..." }`` expression. A reference formatted into a longer string
    (``"title {user.id}"``: a label ``access init`` makes distinct per owner) names nobody: a column
    holding it is not an owner column. Returns the references without braces, in order."""
    if isinstance(value, str):
        match = REF.fullmatch(value)
        return [match.group(1)] if match else []
    return [r for text in value_texts(value) for r in find_references(text)]


def qualify(key: str) -> str:
    return key if "." in key else f"public.{key}"


def resolve_reference(text: str, tables: Collection[str], actors: Collection[str]) -> Reference | None:
    parts = text.split(".")
    if parts[0] in REFERENCE_ROOTS or parts[0] in actors:
        return Reference(text, parts[0], parts[1]) if len(parts) == 2 else None
    if len(parts) == 3 and f"{parts[0]}.{parts[1]}" in tables:
        return Reference(text, f"{parts[0]}.{parts[1]}", parts[2])
    if len(parts) == 2 and qualify(parts[0]) in tables:
        return Reference(text, qualify(parts[0]), parts[1])
    return None


def value_texts(value: Any) -> Iterator[str]:
    """The strings inside a row value that may hold references."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and set(value) == {"sql"} and isinstance(value["sql"], str):
        yield value["sql"]
