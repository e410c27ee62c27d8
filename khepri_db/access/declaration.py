"""The access declaration (``supabase/access.toml``, format ``docs/access.md``): its model, loading and
validation, with errors that name the file, line and key."""

from __future__ import annotations

import graphlib
import re
import tomllib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project, bundled_path

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
_TABLE_KEY = re.compile(rf"^{_IDENT}(?:\.{_IDENT})?(?:#[A-Za-z0-9_]+)?$")
_VARIANT_REF = re.compile(r"\{(" + _IDENT + r"(?:\." + _IDENT + r")?#[^}]*)\}")
"""A ``{notes#shared.id}`` reference: variant rows cannot be referenced (``{notes.id}`` is the base row)."""

VARIANT_MARK = "#"
"""Separates a table from its variant in keys and object names: ``notes#shared``, ``public.notes#shared``."""
_FUNCTION_KEY = re.compile(rf"^{_IDENT}(?:\.{_IDENT})?(?:\s*\(.*\))?$")
_ACTOR_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_UNREVIEWED_PARTS = ("row", "match", "insert_row", "update_columns")
_BUCKET_ID = re.compile(r"^[^/\\:\s][^/\\:]*$")

DEFAULT_STORAGE_PATH = "{user.id}/khepri-probe.txt"
"""The owner's object name when ``[storage.<bucket>]`` gives no ``path``: a file in the user's folder, as
the per-user-folder policies (``(storage.foldername(name))[1] = auth.uid()::text``) expect."""

STORAGE_TABLE = "storage.objects"
"""The table whose rows are Storage's objects."""

Outcome = Literal["allowed", "denied", "error", "skipped"]

_API_ROLE = {"anon": "anon", "service_role": "service_role"}
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
    undecided: dict[str, str] = Field(
        default_factory=dict,
        description="cells nobody could decide, with why: actor:operation (one cell), an actor (its cells) or * "
        "(every cell) -> the reason. verify-access still probes them and reports what happened, as undecided: "
        "never as passed, never as a mismatch",
    )
    accepted_risks: dict[str, str] = Field(
        default_factory=dict,
        description="risks the team accepts, with why: actor:operation, an actor or * -> the reason (e.g. anon may "
        "sign a public guestbook). verify-access still lists them, as accepted; --fail-on risk ignores them",
    )
    unbuildable: str | None = Field(
        None,
        description="why no row of this table can be made (written by `khepri-db access init`): the table counts as "
        "declared, nothing is probed, and every cell is undecided with this reason",
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
    undecided: dict[str, str] = Field(
        default_factory=dict,
        description="execute cells nobody could decide: an actor or * (every actor) -> the reason. verify-access "
        "still calls the function and reports what happened, as undecided: never as passed, never as a mismatch",
    )
    accepted_risks: dict[str, str] = Field(
        default_factory=dict,
        description="risks of this function the team accepts, with why: an actor or * -> the reason. verify-access "
        "still lists them, as accepted; --fail-on risk ignores them",
    )


class StorageSpec(BaseModel):
    """``[storage.<bucket_id>]``: the objects of one Storage bucket (rows of ``storage.objects``), and who
    may read, upload, overwrite and delete the owner's object.

    Supabase Storage runs every request as the JWT's role with the request's claims, and RLS on
    ``storage.objects`` decides (https://supabase.com/docs/guides/storage/security/access-control):
    download and list need SELECT, upload INSERT, overwrite (upsert) SELECT and UPDATE, delete SELECT
    and DELETE. The operations here are those four statements.
    """

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    path: str = Field(
        DEFAULT_STORAGE_PATH,
        description="the owner's object name in the bucket (storage.objects.name); references as in a table's row",
    )
    metadata: dict[str, Any] | None = Field(None, description="storage.objects.metadata of the objects (jsonb)")
    allow: dict[str, list[str] | Literal["all"]] = Field(default_factory=dict, description="actor -> operations")
    unreviewed: list[str] = Field(
        default_factory=list,
        description="parts written by `khepri-db access init` that nobody has reviewed yet: path, an actor or "
        "actor:operation",
    )
    undecided: dict[str, str] = Field(
        default_factory=dict, description="cells nobody could decide: actor:operation, an actor or * -> the reason"
    )
    accepted_risks: dict[str, str] = Field(
        default_factory=dict, description="risks the team accepts: actor:operation, an actor or * -> why"
    )


class AccessFile(BaseModel):
    """The whole ``access.toml`` document."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    actors: dict[str, ActorSpec] = Field(default_factory=dict)
    tables: dict[str, TableSpec] = Field(default_factory=dict)
    functions: dict[str, FunctionSpec] = Field(default_factory=dict)
    storage: dict[str, StorageSpec] = Field(default_factory=dict)


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
        return _resolve_ref(text, self._by_name, self._custom_actor_names)

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


_HEADER_START = re.compile(r"^\s*\[\s*(\w+)\s*\.\s*")
"""The start of a ``[section.key]`` header, up to the key."""


class _IndexedLines(list[str]):
    """A declaration's lines with the line of every ``[section.key]`` header, found in one pass, so that
    :func:`_section_line` answers each key at once instead of scanning the file for it (a scan per
    table made loading a generated file of 3,000 tables quadratic in its size).

    ``headers``: (section, key) -> the first line whose header names it, the key as written (bare or
    dotted) and, when quoted, without its quotes: every key the header pattern of :func:`_section_line`
    would match there, for keys without surrounding whitespace.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__(lines)
        self.headers: dict[tuple[str, str], int] = {}
        for number, line in enumerate(self, 1):
            start = _HEADER_START.match(line)
            if start is None:
                continue
            section, rest = start.group(1), line[start.end() :]
            for end, char in enumerate(rest):
                if char != "]":
                    continue
                written = rest[:end].rstrip()
                self.headers.setdefault((section, written), number)
                if len(written) >= 2 and written[0] == written[-1] and written[0] in "\"'":
                    self.headers.setdefault((section, written[1:-1]), number)


def _section_line(lines: Sequence[str], section: str, key: str) -> int | None:
    """1-based line of ``[section.key]`` (quoted or bare), else of the first line naming the key.

    ``lines`` an :class:`_IndexedLines`: the header is looked up in its index (the same line)."""
    if isinstance(lines, _IndexedLines) and key and key == key.strip():
        found = lines.headers.get((section, key))
        if found is not None:
            return found
        return next((number for number, line in enumerate(lines, 1) if key in line), None)
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


def ownership_references(value: Any) -> list[str]:
    """The references in one row value that tie the row to someone: a string that is exactly one
    reference (``"{user.id}"``, ``"{athletes.id}"``: the value *is* the owner's id or row key) and every
    reference inside an ``{ sql = "..." }`` expression. A reference formatted into a longer string
    (``"title {user.id}"``: a label ``access init`` makes distinct per owner) names nobody: a column
    holding it is not an owner column. Returns the references without braces, in order."""
    if isinstance(value, str):
        match = _REF.fullmatch(value)
        return [match.group(1)] if match else []
    return [r for text in _value_texts(value) for r in find_references(text)]


def _qualify(key: str) -> str:
    return key if "." in key else f"public.{key}"


def _resolve_ref(text: str, tables: Collection[str], actors: Collection[str]) -> Reference | None:
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
    lines = lines if isinstance(lines, _IndexedLines) else _IndexedLines(lines)
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
    qualified_names: set[str] = set()  # keys' values, for the duplicate check
    for key in document.tables:
        if not _TABLE_KEY.match(key):
            problems.append(
                f"{_where(path, _section_line(lines, 'tables', key))}: tables.{key}: not a table name "
                '(schema.table, or "table#variant" for one more row of a declared table: letters, digits and _)'
            )
            continue
        qualified = _qualify(key)
        if qualified in qualified_names:
            problems.append(f"{_where(path, _section_line(lines, 'tables', key))}: {qualified} is declared twice")
        keys[key] = qualified
        qualified_names.add(qualified)
    for key, qualified in keys.items():
        base, _, variant = qualified.partition(VARIANT_MARK)
        if not variant:
            continue
        where = f"{_where(path, _section_line(lines, 'tables', key))}: tables.{key}"
        base_spec = next((document.tables[k] for k, q in keys.items() if q == base), None)
        if base_spec is None:
            base_key = key.partition(VARIANT_MARK)[0]
            problems.append(f"{where}: a variant of {base}, which is not declared; declare [tables.{base_key}] (its "
                            "base row) too")  # fmt: skip
        elif base_spec.shared or document.tables[key].shared:
            problems.append(f"{where}: a variant is one more row per owner; {base} is shared (one row for everybody), "
                            "so it takes no variant: remove shared or the variant")  # fmt: skip
    clash = sorted(set(document.actors) & {k.split(".")[-1].split(VARIANT_MARK)[0] for k in keys})
    if clash:
        problems.append(f"{path}: actor(s) {', '.join(clash)} have the name of a declared table; rename the actor")

    actor_names = set(document.actors)

    def resolve_ref(text: str) -> Reference | None:
        return _resolve_ref(text, qualified_names, actor_names)

    tables: list[TableDeclaration] = []
    for key, spec in document.tables.items():
        if key not in keys:
            continue
        line = _section_line(lines, "tables", key)
        where = f"{_where(path, line)}: tables.{key}"
        allowed = _allowed_operations(where, spec.allow, actors, problems)
        for entry in spec.unreviewed:
            actor, _, op = entry.partition(":")
            if entry in _UNREVIEWED_PARTS or (actor in actors and (not op or op in OPERATIONS)):
                continue
            problems.append(f"{where}.unreviewed: {entry!r} is not row, match, insert_row, an actor or actor:operation")
        for field_name, entries in (("undecided", spec.undecided), ("accepted_risks", spec.accepted_risks)):
            for entry in entries:
                actor, _, op = entry.partition(":")
                if entry == "*" or (actor in actors and (not op or op in OPERATIONS)):
                    continue
                problems.append(f"{where}.{field_name}: {entry!r} is not *, an actor or actor:operation")
        if spec.match is not None and not spec.match.strip():
            problems.append(f'{where}.match: is empty; write a condition (match = "true" for every row)')
        if spec.unbuildable is not None:
            if spec.row is not None or spec.insert_row is not None:
                problems.append(f"{where}: unbuildable says no row can be made, yet a row is declared; remove one")
            if allowed:
                problems.append(f"{where}: unbuildable: nothing is probed, so nothing can be allowed; remove allow")
        elif spec.row is None and spec.match is None:
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
            for bad in _VARIANT_REF.findall(text):
                problems.append(f"{location}: {{{bad}}}: a variant row cannot be referenced; {{table.column}} is the "
                                "table's base row")  # fmt: skip
            for ref_text in find_references(text):
                ref = resolve_ref(ref_text)
                if ref is None:
                    problems.append(
                        f"{location}: {{{ref_text}}} refers to nothing declared; use {{user.id}}, {{run.id}}, "
                        "{<declared table>.<column>} or {<custom actor>.id}"
                    )
                elif ref.root == "row" and not row_ok:
                    problems.append(f"{location}: {{{ref_text}}}: the row cannot refer to itself")
                elif ref.root in keys.values() and ref.root != _qualify(key).partition(VARIANT_MARK)[0]:
                    deps.add(ref.root)
                elif ref.root == _qualify(key).partition(VARIANT_MARK)[0] and not row_ok:
                    problems.append(f"{location}: {{{ref_text}}}: the row cannot refer to itself")
        base_name = keys[key].partition(VARIANT_MARK)[0]
        if base_name != keys[key] and base_name in qualified_names:
            deps.add(base_name)  # made after the base row (a unique key clash then names the variant)
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
        for field_name, entries in (("undecided", spec.undecided), ("accepted_risks", spec.accepted_risks)):
            for entry in entries:
                if entry != "*" and entry not in actors:
                    problems.append(f"{where}.{field_name}: {entry!r} is not * or an actor")
        for bad in _VARIANT_REF.findall(spec.call or ""):
            problems.append(f"{where}.call: {{{bad}}}: a variant row cannot be referenced; {{table.column}} is the "
                            "table's base row")  # fmt: skip
        for ref_text in find_references(spec.call or ""):
            ref = resolve_ref(ref_text)
            if ref is None or ref.root == "row":
                problems.append(f"{where}.call: {{{ref_text}}} refers to nothing declared")
        functions.append(FunctionDeclaration(key, name, signature, spec, line))
    unbuildable = {t.name for t in tables if t.spec.unbuildable is not None}
    for t in tables:
        for dep in sorted(t.depends_on & unbuildable):
            problems.append(
                f"{_where(path, t.line)}: tables.{t.key}: refers to {dep}, which is unbuildable (no row can be made); "
                "declare this table unbuildable too, or write the other's row"
            )
    for f in functions:
        for ref_text in find_references(f.spec.call or ""):
            ref = resolve_ref(ref_text)
            if ref is not None and ref.root in unbuildable:
                problems.append(
                    f"{_where(path, f.line)}: functions.{f.key}.call: {{{ref_text}}} refers to {ref.root}, which is "
                    "unbuildable (no row can be made)"
                )
    buckets = _validate_storage(path, lines, document, actors, resolve_ref, unbuildable, problems)
    if problems:
        raise AccessDeclarationError(
            "invalid access declaration:\n  " + "\n  ".join(problems), hint="see docs/access.md for the format"
        )
    by_name = {t.name: t for t in tables}
    factory_order = tuple(by_name[n] for n in order if n in by_name)
    return Declaration(
        path, actors, dict(document.actors), tuple(tables), tuple(functions), factory_order, tuple(buckets)
    )


def _allowed_operations(where: str, spec_allow: dict[str, list[str] | Literal["all"]], actors: Sequence[str],
                        problems: list[str]) -> dict[str, frozenset[str]]:  # fmt: skip
    """actor -> operations of an ``allow`` table of a table or bucket, problems appended to ``problems``."""
    allowed: dict[str, frozenset[str]] = {}
    for actor, ops in spec_allow.items():
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
    return allowed


def _validate_storage(
    path: Path,
    lines: Sequence[str],
    document: AccessFile,
    actors: Sequence[str],
    resolve_ref: Any,
    unbuildable: set[str],
    problems: list[str],
) -> list[StorageDeclaration]:
    """The ``[storage.<bucket>]`` entries, validated like tables (problems appended to ``problems``)."""
    buckets: list[StorageDeclaration] = []
    for bucket, spec in document.storage.items():
        line = _section_line(lines, "storage", bucket)
        where = f"{_where(path, line)}: storage.{bucket}"
        if not _BUCKET_ID.match(bucket):
            problems.append(f"{where}: not a bucket id (no '/', '\\' or ':')")
            continue
        allowed = _allowed_operations(where, spec.allow, actors, problems)
        for entry in spec.unreviewed:
            actor, _, op = entry.partition(":")
            if entry in ("path", "metadata") or (actor in actors and (not op or op in OPERATIONS)):
                continue
            problems.append(f"{where}.unreviewed: {entry!r} is not path, metadata, an actor or actor:operation")
        for field_name, entries in (("undecided", spec.undecided), ("accepted_risks", spec.accepted_risks)):
            for entry in entries:
                actor, _, op = entry.partition(":")
                if entry == "*" or (actor in actors and (not op or op in OPERATIONS)):
                    continue
                problems.append(f"{where}.{field_name}: {entry!r} is not *, an actor or actor:operation")
        if not spec.path.strip() or spec.path.startswith("/") or spec.path.endswith("/"):
            problems.append(f"{where}.path: {spec.path!r} is not an object name (a/b/file.txt: no leading or "
                            "trailing /)")  # fmt: skip
        for ref_text in find_references(spec.path):
            ref = resolve_ref(ref_text)
            if ref is None or ref.root == "row":
                problems.append(
                    f"{where}.path: {{{ref_text}}} refers to nothing declared; use {{user.id}}, {{run.id}}, "
                    "{<declared table>.<column>} or {<custom actor>.id}"
                )
            elif ref.root in unbuildable:
                problems.append(f"{where}.path: {{{ref_text}}} refers to {ref.root}, which is unbuildable")
        buckets.append(StorageDeclaration(bucket, spec, line, allowed))
    return buckets


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
