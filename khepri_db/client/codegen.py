"""``khepri-db gen types --lang python``: pydantic v2 models and typed RPCs from a live database.

The generator (:func:`generate_types`) reads the catalog of a migrated database through psycopg
(the schemas PostgREST exposes, only the objects the API roles can reach) and writes one Python
module: per table and view a ``<Name>Row`` model (and ``<Name>Insert`` / ``<Name>Update`` where the
API roles may write), enums as ``Literal`` aliases plus a ``StrEnum``, composite types as models,
domains as ``Annotated`` aliases carrying their simple CHECKs, and one typed function per RPC. The
output is deterministic (catalog order, no timestamps), so ``--check`` can compare it with the file
on disk. The generated module carries the runtime it needs in a delimited section
(:mod:`khepri_db.client._embed`), so it imports only the standard library and pydantic (psycopg
or supabase-py when an RPC is called through them), never khepri-db. See ``docs/gen-types.md``.
"""

from __future__ import annotations

import collections
import difflib
import functools
import json
import keyword
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
from pydantic import (
    BaseModel,
)

from khepri_db.client._embed import Import, render_imports, runtime_section
from khepri_db.core import errors
from khepri_db.core.project import load_sql
from khepri_db.core.sqltext import Token, significant_tokens

if TYPE_CHECKING:
    from khepri_db.core.project import Project

__all__ = ["GeneratedTypes", "generate_types", "unified_diff"]

# =============================================================================================
# Catalog
# =============================================================================================


_TYPES_QUERY = load_sql("gen_types", "types.sql")

_RELATIONS_QUERY = load_sql("gen_types", "relations.sql")

_COLUMNS_QUERY = load_sql("gen_types", "columns.sql")

_FUNCTIONS_QUERY = load_sql("gen_types", "functions.sql")


@dataclass(frozen=True)
class PgType:
    """One row of ``pg_type`` with what the mapping needs (see :data:`_TYPES_QUERY`)."""

    oid: int
    schema: str
    name: str
    typtype: str
    category: str
    elem: int
    base: int
    notnull: bool
    relid: int
    relkind: str
    range_subtype: int
    multirange_of: int
    enum_labels: tuple[str, ...]
    checks: tuple[str, ...]
    attributes: tuple[tuple[str, int], ...]
    sql_name: str
    comment: str


@dataclass(frozen=True)
class Column:
    """A column of an exposed relation, with what the API roles may do with it."""

    name: str
    type_oid: int
    ndims: int
    notnull: bool
    has_default: bool
    identity: str
    generated: str
    default: str
    comment: str
    can_select: bool
    can_insert: bool
    can_update: bool
    checks: tuple[str, ...] = ()


@dataclass
class Relation:
    """An exposed table, view, materialized view or foreign table."""

    oid: int
    schema: str
    name: str
    kind: str
    rowtype: int
    comment: str
    updatable: int
    columns: list[Column] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        """Tables and partitioned tables (not views)."""
        return self.kind in ("r", "p")

    @property
    def qualified(self) -> str:
        """``schema.name``."""
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Argument:
    """An input argument of a function."""

    name: str
    type_oid: int
    has_default: bool
    default: str
    variadic: bool


@dataclass(frozen=True)
class Function:
    """An exposed function (an RPC), with its inputs and outputs."""

    oid: int
    schema: str
    name: str
    args: tuple[Argument, ...]
    out: tuple[tuple[str, int], ...]
    returns_set: bool
    rettype: int
    comment: str
    identity: str


@dataclass
class Catalog:
    """What the generator read from the database."""

    schemas: list[str]
    roles: list[str]
    include_all: bool
    relations: list[Relation]
    functions: list[Function]
    skipped: list[str]
    types: dict[int, PgType]
    migrations: str


def _split_defaults(text: str) -> list[str]:
    """Split ``pg_get_expr(proargdefaults)`` (``'a'::text, 5``) at top-level commas."""
    parts, depth, quote, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quote = not quote
        elif not quote and ch in "([":
            depth += 1
        elif not quote and ch in ")]":
            depth -= 1
        elif not quote and depth == 0 and ch == ",":
            parts.append(text[start:i].strip())
            start = i + 1
    if text.strip():
        parts.append(text[start:].strip())
    return parts


def read_catalog(
    conn: psycopg.Connection, schemas: Sequence[str], roles: Sequence[str], *, include_all: bool = False
) -> Catalog:
    """Read the exposed relations, functions and every type they use.

    Args:
        conn: a connection able to read the catalog (any role; privileges are checked per role).
        schemas: the exposed schemas.
        roles: API roles whose privileges decide what is exposed (roles that do not exist are
            ignored).
        include_all: every relation and function of ``schemas``, whatever the grants.

    Returns:
        A :class:`Catalog`; functions PostgREST cannot call by name are listed in ``skipped``.
    """
    existing = {r[0] for r in conn.execute("select rolname::text from pg_catalog.pg_roles").fetchall()}
    roles = [r for r in roles if r in existing]
    params = {"schemas": list(schemas), "roles": roles, "all": include_all}
    with conn.transaction():
        conn.execute("set local search_path = pg_catalog")
        relations = [Relation(*row) for row in conn.execute(_RELATIONS_QUERY, params).fetchall()]
        by_oid = {r.oid: r for r in relations}
        for row in conn.execute(_COLUMNS_QUERY, {**params, "oids": list(by_oid)}).fetchall():
            by_oid[row[0]].columns.append(Column(*row[1:-1], checks=tuple(row[-1])))
        functions, skipped = _functions(conn.execute(_FUNCTIONS_QUERY, params).fetchall())
        wanted = {c.type_oid for r in relations for c in r.columns} | {r.rowtype for r in relations}
        wanted |= {a.type_oid for f in functions for a in f.args} | {t for f in functions for _, t in f.out}
        wanted |= {f.rettype for f in functions}
        types = {
            row[0]: PgType(
                *row[:12], tuple(row[12]), tuple(row[13]), tuple(zip(row[14], row[15], strict=True)), row[16], row[17]
            )
            for row in conn.execute(_TYPES_QUERY, {"oids": sorted(wanted)}).fetchall()
        }
        migrations = _migrations_line(conn)
    kept = []
    for function in functions:
        problem = _unsupported(function, types)
        if problem:
            skipped.append(f"{function.schema}.{function.name}({function.identity}): {problem}")
        else:
            kept.append(function)
    return Catalog(list(schemas), roles, include_all, relations, kept, skipped, types, migrations)


def _functions(rows: Iterable[tuple[Any, ...]]) -> tuple[list[Function], list[str]]:
    functions, skipped = [], []
    for row in rows:
        oid, schema, name, argnames, modes, argtypes, ndefaults, defaults, retset, rettype, variadic, comment, ident = (
            row
        )
        modes = list(modes) or ["i"] * len(argtypes)
        names = list(argnames) + [""] * (len(argtypes) - len(argnames))
        inputs = [(n, t, m) for n, t, m in zip(names, argtypes, modes, strict=True) if m in ("i", "b", "v")]
        outputs = tuple((n, t) for n, t, m in zip(names, argtypes, modes, strict=True) if m in ("o", "b", "t"))
        if any(not n for n, _, _ in inputs):
            skipped.append(f"{schema}.{name}({ident}): an argument has no name (PostgREST calls by name)")
            continue
        default_texts = _split_defaults(defaults)
        first_default = len(inputs) - ndefaults
        args = tuple(
            Argument(n, t, i >= first_default, default_texts[i - first_default] if i >= first_default else "",
                     m == "v" and variadic != 0)
            for i, (n, t, m) in enumerate(inputs)
        )  # fmt: skip
        functions.append(Function(oid, schema, name, args, outputs, retset, rettype, comment, ident))
    return functions, skipped


def _unsupported(function: Function, types: Mapping[int, PgType]) -> str | None:
    for arg in function.args:
        if types[arg.type_oid].typtype == "p":
            return f"argument {arg.name} has the pseudo-type {types[arg.type_oid].name}"
    ret = types[function.rettype]
    if ret.typtype == "p" and ret.name not in ("void", "record"):
        return f"it returns the pseudo-type {ret.name}"
    return None


def _migrations_line(conn: psycopg.Connection) -> str:
    if conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone() == (None,):
        return "no migration history (supabase_migrations.schema_migrations)"
    row = conn.execute(
        "select count(*), max(version || coalesce('_' || name, '')) from supabase_migrations.schema_migrations"
    ).fetchone()
    assert row is not None
    return f"{row[0]} applied, latest {row[1]}" if row[0] else "none applied"


# =============================================================================================
# Rendering
# =============================================================================================

_SCALARS: dict[str, str] = {
    "bool": "bool", "int2": "int", "int4": "int", "int8": "int", "oid": "int", "xid": "int", "cid": "int",
    "float4": "float", "float8": "float", "numeric": "_decimal.Decimal",
    "text": "str", "varchar": "str", "bpchar": "str", "char": "str", "name": "str", "citext": "str",
    "uuid": "_uuid.UUID", "date": "_dt.date", "time": "_dt.time", "timetz": "TimeTz",
    "timestamp": "_dt.datetime", "timestamptz": "_dt.datetime", "interval": "Interval",
    "json": "Json", "jsonb": "Json", "bytea": "Bytea",
    "inet": "IPvAnyInterface", "cidr": "IPvAnyNetwork", "record": "dict[str, Json]", "void": "None",
}  # fmt: skip
"""``pg_catalog`` type name -> Python annotation (see docs/gen-types.md for the whole table); the
names without a module are the runtime section's, or imported as :data:`_IMPORTS` says."""

_IMPORTS: dict[str, Import] = {
    "_dt": ("datetime", None, "_dt"),
    "_decimal": ("decimal", None, "_decimal"),
    "_uuid": ("uuid", None, "_uuid"),
    "StrEnum": ("enum", "StrEnum", None),
    "Annotated": ("typing", "Annotated", None),
    "Literal": ("typing", "Literal", None),
    "Field": ("pydantic", "Field", None),
    "IPvAnyInterface": ("pydantic", "IPvAnyInterface", None),
    "IPvAnyNetwork": ("pydantic", "IPvAnyNetwork", None),
}
"""What a name the generated code uses (beyond the runtime section's) is imported as."""


@functools.lru_cache(maxsize=256)
def _imports_of(annotation: str) -> tuple[str, ...]:
    """The names of :data:`_IMPORTS` an annotation starts with (``_dt.date`` -> ``_dt``)."""
    return tuple(name for name in _IMPORTS if re.match(rf"{name}\b", annotation))


_RESERVED = {"Annotated", "Literal", "Any", "StrEnum", "Field", "IPvAnyInterface", "IPvAnyNetwork", "ROW_MODELS",
             "RPCS"}  # fmt: skip
"""Module-level names generated types must not take (with every name of the runtime section)."""


def _pascal(name: str) -> str:
    words = re.split(r"[^0-9A-Za-z]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words if w)
    return text if text and not text[0].isdigit() else f"T{text}"


@functools.lru_cache(maxsize=65536)
def _snake(name: str) -> str:
    text = re.sub(r"[^0-9A-Za-z_]+", "_", name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower().strip("_") or "field"
    if text[0].isdigit():
        text = f"f_{text}"
    if keyword.iskeyword(text) or keyword.issoftkeyword(text):
        text += "_"
    if text.startswith("model_") or text in _BASEMODEL_NAMES or text == "client":
        text += "_"
    return text


_BASEMODEL_NAMES = {n for n in dir(BaseModel) if not n.startswith("_")} | {"payload"}


def _py_names(names: Iterable[str]) -> dict[str, str]:
    """Python identifiers for SQL names, unique within one model or signature (``Id`` and ``id``
    become ``id`` and ``id_``)."""
    result: dict[str, str] = {}
    for name in names:
        py = _snake(name)
        while py in result.values():
            py += "_"
        result[name] = py
    return result


def _quote(text: str) -> str:
    """A Python string literal of ``text``, quoted as ``ruff format`` quotes it: double quotes, but
    single quotes for a text holding ``"`` and no ``'`` (e.g. the SQL type ``public."row"``)."""
    literal = json.dumps(text, ensure_ascii=False)
    if '"' in text and "'" not in text:
        return "'" + literal[1:-1].replace('\\"', '"') + "'"
    return literal


_WRAP_CHANGES = re.compile(r"[\t\v\f\r]")
"""Characters textwrap replaces (tabs expanded, other whitespace made spaces)."""


def _doc(text: str, indent: str, width: int = 88) -> list[str]:
    """A docstring, wrapped; backslashes and triple quotes made safe."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    lines: list[str] = []
    # Wrapped 6 columns short of the width: a text that fits is a one-line docstring, any other
    # has at least two lines, which ruff format never joins (whatever its line length).
    room = width - len(indent) - 6
    for paragraph in text.split("\n"):
        if len(paragraph) <= room and paragraph == paragraph.strip() and not _WRAP_CHANGES.search(paragraph):
            lines.append(paragraph)  # what textwrap.wrap would give, without its cost (most docstrings fit)
        else:
            lines.extend(textwrap.wrap(paragraph, room) or [""])
    if len(lines) == 1 and not lines[0].endswith('"'):
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *[f"{indent}{line}".rstrip() for line in lines[1:]], f'{indent}"""']


def _comment(text: str, width: int = 88) -> list[str]:
    """``text`` as ``#`` comment lines of at most ``width`` columns (continuations indented)."""
    return textwrap.wrap(text, width, initial_indent="# ", subsequent_indent="#   ", break_on_hyphens=False)


@dataclass
class _Node:
    """A bracketed group for :func:`_fmt`: ``head`` + items + ``tail``, exploded one item per line
    (with a magic trailing comma) when it does not fit, as ``ruff format`` keeps it."""

    head: str
    items: list[_Node | str]
    tail: str


def _flat(node: _Node | str) -> str:
    if isinstance(node, str):
        return node
    return node.head + ", ".join(_flat(i) for i in node.items) + node.tail


def _fmt(node: _Node | str, indent: int, width: int = 88, suffix: str = "") -> list[str]:
    flat = _flat(node) + suffix
    if isinstance(node, str) or indent + len(flat) <= width or not node.items:
        return [" " * indent + flat]
    lines = [" " * indent + node.head]
    for item in node.items:
        lines.extend(_fmt(item, indent + 4, width, ","))
    lines.append(" " * indent + node.tail + suffix)
    return lines


_CHECK_COMPARE = re.compile(
    r"^\(?\(?VALUE\)?(?:::[\w ]+)?\s*(>=|>|<=|<)\s*\(?'?(-?\d+(?:\.\d+)?)'?\)?(?:::[\w ]+)?\)?$"
)
_CHECK_LENGTH = re.compile(
    r"^\(?(?:char_length|length|character_length)\(\(?VALUE\)?(?:::text)?\)\s*(>=|>|<=|<)\s*(\d+)\)?$"
)
_CHECK_REGEX = re.compile(r"^\(?\(?VALUE\)?(?:::text)?\s*(~\*?)\s*'((?:[^']|'')*)'(?:::text)?\)?$")
_CHECK_IN = re.compile(r"^\(?\(?VALUE\)?(?:::text)?\s*=\s*ANY\s*\(\(?ARRAY\[(.*)\]\)?(?:::text\[\])?\)\)?$")


def _closing(tokens: Sequence[Token], start: int) -> int:
    """Index of the ``)`` that closes the ``(`` at ``tokens[start]`` (-1 if none)."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].is_punct("("):
            depth += 1
        elif tokens[index].is_punct(")"):
            depth -= 1
            if depth == 0:
                return index
    return -1


def _strip_parens(text: str) -> str:
    """``text`` without the parentheses that enclose all of it (``((a))`` -> ``a``), read with the
    lexer's tokens (:func:`khepri_db.core.sqltext.significant_tokens`: quotes and comments respected)."""
    text = text.strip()
    while True:
        tokens = significant_tokens(text)
        if len(tokens) < 2 or not tokens[0].is_punct("(") or _closing(tokens, 0) != len(tokens) - 1:
            return text
        text = text[tokens[0].offset + 1 : tokens[-1].offset].strip()


def _split_and(text: str) -> list[str]:
    """Split ``a AND b AND c`` at the top level (outside parentheses, quotes and comments)."""
    text = _strip_parens(text)
    parts: list[str] = []
    depth = 0
    start = 0
    for token in significant_tokens(text):
        if token.is_punct("("):
            depth += 1
        elif token.is_punct(")"):
            depth -= 1
        elif depth == 0 and token.is_word("AND"):
            parts.append(text[start : token.offset])
            start = token.offset + len(token.value)
    parts.append(text[start:])
    return [part.strip() for part in parts]


@functools.lru_cache(maxsize=4096)
def _check_constraints(definition: str, base: str) -> tuple[dict[str, str], list[str]] | None:
    """Translate a domain's ``CHECK (...)`` into pydantic ``Field`` arguments, or ``None`` when it is
    not simple (the database still enforces it). Returns (field kwargs, literal values): shared
    between calls with the same text (a schema repeats its CHECKs table after table), never to be
    changed by the caller."""
    body = definition.removeprefix("CHECK ").strip()
    body = _strip_parens(body)
    parts = [_strip_parens(p) for p in _split_and(body)]
    kwargs: dict[str, str] = {}
    literals: list[str] = []
    numeric = base in ("int", "float", "_decimal.Decimal")
    for part in parts:
        if numeric and (m := _CHECK_COMPARE.match(part)):
            kwargs[{">": "gt", ">=": "ge", "<": "lt", "<=": "le"}[m[1]]] = m[2]
        elif base == "str" and (m := _CHECK_LENGTH.match(part)):
            limit = int(m[2])
            op = m[1]
            if op in ("<=", "<"):
                kwargs["max_length"] = str(limit if op == "<=" else limit - 1)
            else:
                kwargs["min_length"] = str(limit if op == ">=" else limit + 1)
        elif base == "str" and (m := _CHECK_REGEX.match(part)):
            pattern = ("(?i)" if m[1] == "~*" else "") + m[2].replace("''", "'")
            if re.search(r"\[\[:|\\[mMyY]", pattern):
                return None
            try:
                re.compile(pattern)
            except re.error:
                return None
            kwargs["pattern"] = _quote(pattern)
        elif base == "str" and (m := _CHECK_IN.match(part)):
            values = re.findall(r"'((?:[^']|'')*)'(?:::[\w ]+)?", m[1])
            if not values:
                return None
            literals = [v.replace("''", "'") for v in values]
        else:
            return None
    return kwargs, literals


class _Renderer:
    """Builds the module text from a :class:`Catalog`."""

    def __init__(self, catalog: Catalog, header: Sequence[str]) -> None:
        self.catalog = catalog
        self.header = header
        self.types = catalog.types
        self.section = runtime_section()
        self.names: set[str] = set(_RESERVED) | self.section.names
        self.type_names: dict[int, str] = {}
        self.blocks: list[list[str]] = []
        self.declared: set[int] = set()
        self.imports: set[str] = set()
        self.row_models: dict[int, str] = {}
        self.relation_names: dict[int, str] = {}
        for relation in catalog.relations:
            base = self._unique(self._prefixed(relation.schema, relation.name), ("Row", "Insert", "Update"))
            self.relation_names[relation.oid] = base
            self.row_models[relation.rowtype] = f"{base}Row"

    def _prefixed(self, schema: str, name: str) -> str:
        return _pascal(name) if schema == "public" else _pascal(schema) + _pascal(name)

    def _unique(self, base: str, suffixes: Sequence[str] = ("",)) -> str:
        candidate, n = base, 1
        while any(candidate + s in self.names for s in suffixes):
            n += 1
            candidate = f"{base}{n}"
        self.names.update(candidate + s for s in suffixes)
        return candidate

    # types -------------------------------------------------------------------------------------

    def annotation(self, oid: int, ndims: int = 0) -> str:
        """The Python annotation of a value of type ``oid`` (without ``| None``)."""
        t = self.types[oid]
        if t.elem:
            inner = self.annotation(t.elem)
            for _ in range(max(ndims, 1)):
                inner = f"list[{inner}]"
            return inner
        if t.typtype == "d":
            return self._domain(t)
        if t.typtype == "e":
            return self._enum(t)
        if t.typtype == "c":
            return self.row_models.get(oid) or self._composite(t)
        if t.typtype == "r":
            return f"Range[{self.annotation(t.range_subtype)}]"
        if t.schema == "pg_catalog" and t.name in _SCALARS:
            text = _SCALARS[t.name]
            self.imports.update(_imports_of(text))
            return text
        if t.name == "citext":
            return "str"
        return "Text"

    def _domain(self, t: PgType) -> str:
        if t.oid in self.type_names:
            return self.type_names[t.oid]
        base = self.annotation(t.base)
        name = self._unique(self._prefixed(t.schema, t.name))
        self.type_names[t.oid] = name
        kwargs: dict[str, str] = {}
        literals: list[str] = []
        skipped = []
        for check in t.checks:
            translated = _check_constraints(check, base)
            if translated is None:
                skipped.append(check)
                continue
            kwargs.update(translated[0])
            literals = translated[1] or literals
        lines = [f"# domain {t.schema}.{t.name} over {self.types[t.base].sql_name}"]
        for check in skipped:
            lines += _comment(f"not checked here (the database checks it): {check}")
        if literals:
            node = _Node(f"{name} = Literal[", [_quote(v) for v in literals], "]")
            self.imports.add("Literal")
        elif kwargs:
            args = [f"{k}={v}" for k, v in sorted(kwargs.items())]
            node = _Node(f"{name} = Annotated[", [base, _Node("Field(", list(args), ")")], "]")
            self.imports.update(("Annotated", "Field"))
        else:
            node = f"{name} = {base}"
        lines += _fmt(node, 0)
        if t.comment:
            lines += _doc(t.comment, "")
        self.blocks.append(lines)
        return name

    def _enum(self, t: PgType) -> str:
        if t.oid in self.type_names:
            return self.type_names[t.oid]
        name = self._unique(self._prefixed(t.schema, t.name), ("", "Enum"))
        self.type_names[t.oid] = name
        lines = [f"# enum {t.schema}.{t.name}"]
        lines += _fmt(_Node(f"{name} = Literal[", [_quote(v) for v in t.enum_labels], "]"), 0)
        self.imports.add("Literal")
        lines += ["", "", f"class {name}Enum(StrEnum):"]
        lines += _doc(t.comment or f"The labels of enum {t.schema}.{t.name}, as members.", "    ")
        lines.append("")
        members: set[str] = set()
        for label in t.enum_labels:
            member = re.sub(r"\W+", "_", label).strip("_").lower() or "empty"
            if member[0].isdigit() or keyword.iskeyword(member):
                member = f"v_{member}"
            while member in members or member.startswith("_") or member == "mro":
                member += "_"
            members.add(member)
            lines.append(f"    {member} = {_quote(label)}")
        self.imports.add("StrEnum")
        self.blocks.append(lines)
        return name

    def _composite(self, t: PgType) -> str:
        if t.oid in self.type_names:
            return self.type_names[t.oid]
        name = self._unique(self._prefixed(t.schema, t.name))
        self.type_names[t.oid] = name
        py = _py_names(attr for attr, _ in t.attributes)
        fields = [self._field(a, oid, 0, nullable=True, default="None", py=py[a]) for a, oid in t.attributes]
        kind = "composite type" if t.relkind == "c" else "row type of"
        doc = t.comment or f"The {kind} {t.schema}.{t.name}."
        self.blocks.append([f"class {name}(Composite):", *_doc(doc, "    "), "", *fields])
        return name

    def _field(
        self,
        column: str,
        type_oid: int,
        ndims: int,
        *,
        nullable: bool,
        default: str | None,
        alias: str | None = None,
        py: str | None = None,
    ) -> str:
        py = py or _snake(column)
        annotation = alias or self.annotation(type_oid, ndims)
        if nullable:
            annotation += " | None"
        if py != column:
            value = f"Field(alias={_quote(column)})" if default is None else (
                f"Field({default}, alias={_quote(column)})")  # fmt: skip
            self.imports.add("Field")
        else:
            value = default
        return f"    {py}: {annotation}" + (f" = {value}" if value is not None else "")

    # relations ---------------------------------------------------------------------------------

    def _column_check(self, relation: Relation, base: str, column: Column) -> str | None:
        """A module-level alias carrying the column's single-column CHECKs, or ``None``."""
        t = self.types[column.type_oid]
        if not column.checks or t.elem or t.typtype not in ("b", "d"):
            return None
        annotation = self.annotation(column.type_oid)
        scalar = self.types[t.base].name if t.typtype == "d" else t.name
        kind = _SCALARS.get(scalar, "")
        if kind not in ("str", "int", "float", "_decimal.Decimal"):
            return None
        name_re = re.escape(column.name) if re.fullmatch(r"[a-z_][a-z0-9_$]*", column.name) else None
        quoted = '"' + column.name.replace('"', '""') + '"'
        kwargs: dict[str, str] = {}
        literals: list[str] = []
        for check in column.checks:
            text = check.replace(quoted, "VALUE")
            if name_re:
                text = re.sub(rf"(?<![\w.\"']){name_re}(?![\w\"'])", "VALUE", text)
            translated = _check_constraints(text, kind)
            if translated is None:
                continue
            kwargs.update(translated[0])
            literals = translated[1] or literals
        if not kwargs and not literals:
            return None
        alias = self._unique(base + _pascal(column.name))
        lines = [f"# {relation.qualified}.{column.name}: its CHECK constraint(s)"]
        if literals:
            lines += _fmt(_Node(f"{alias} = Literal[", [_quote(v) for v in literals], "]"), 0)
            self.imports.add("Literal")
        else:
            args = [f"{k}={v}" for k, v in sorted(kwargs.items())]
            lines += _fmt(_Node(f"{alias} = Annotated[", [annotation, _Node("Field(", list(args), ")")], "]"), 0)
            self.imports.update(("Annotated", "Field"))
        self.blocks.append(lines)
        return alias

    def relation(self, relation: Relation) -> None:
        base = self.relation_names[relation.oid]
        checked = {c.name: self._column_check(relation, base, c) for c in relation.columns} if relation.is_table else {}
        py = _py_names(c.name for c in relation.columns)
        kind = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table"}[relation.kind]
        comment = f"{relation.comment}\n\n" if relation.comment else ""
        selectable = [c for c in relation.columns if c.can_select]
        row = [f"class {base}Row(Row):"]
        row += _doc(f"{comment}A row of {kind} {relation.qualified}.", "    ")
        row.append("")
        for column in selectable:
            nullable = not self._notnull(column) or not relation.is_table
            row.append(
                self._field(column.name, column.type_oid, column.ndims, nullable=nullable, default=None,
                            alias=checked.get(column.name), py=py[column.name])
            )  # fmt: skip
        self.blocks.append(row)
        writable_view = relation.kind == "v" and relation.updatable & 8
        if relation.is_table or writable_view:
            insertable = [c for c in relation.columns if c.can_insert and not c.generated and c.identity != "a"]
            if insertable:
                block = [f"class {base}Insert(Insert):"]
                block += _doc(f"A new row of {kind} {relation.qualified} (unset fields: the database default).",
                              "    ")  # fmt: skip
                block.append("")
                for column in insertable:
                    optional = column.has_default or column.identity or not self._notnull(column) or writable_view
                    nullable = not self._notnull(column)
                    block.append(
                        self._field(column.name, column.type_oid, column.ndims, nullable=nullable,
                                    default="DEFAULT" if optional else None, alias=checked.get(column.name),
                                    py=py[column.name])
                    )  # fmt: skip
                self.blocks.append(block)
        if relation.is_table or (relation.kind == "v" and relation.updatable & 4):
            updatable = [c for c in relation.columns if c.can_update and not c.generated and c.identity != "a"]
            if updatable:
                block = [f"class {base}Update(Update):"]
                block += _doc(f"Changes to rows of {kind} {relation.qualified} (only set fields are sent).", "    ")
                block.append("")
                for column in updatable:
                    block.append(
                        self._field(column.name, column.type_oid, column.ndims, nullable=not self._notnull(column),
                                    default="DEFAULT", alias=checked.get(column.name), py=py[column.name])
                    )  # fmt: skip
                self.blocks.append(block)

    def _notnull(self, column: Column) -> bool:
        t = self.types[column.type_oid]
        return column.notnull or (t.typtype == "d" and t.notnull)

    # functions ---------------------------------------------------------------------------------

    def function(self, function: Function, py_name: str) -> None:
        ret = self.types[function.rettype]
        returns = "scalar"
        if ret.name == "void" and ret.schema == "pg_catalog":
            result, returns = "None", "void"
        elif ret.name == "record" and ret.schema == "pg_catalog" and function.out:
            model = self._unique(_pascal(py_name) + "Result")
            py = _py_names(n for n, _ in function.out)
            fields = [self._field(n, t, 0, nullable=True, default="None", py=py[n]) for n, t in function.out]
            doc = f"A row returned by {function.schema}.{function.name}()."
            self.blocks.append([f"class {model}(Row):", *_doc(doc, "    "), "", *fields])
            result, returns = model, "row"
        elif ret.typtype == "c":
            result, returns = self.annotation(function.rettype), "row"
        else:
            result = self.annotation(function.rettype)
        if function.returns_set:
            result = f"list[{result}]"
        elif returns != "void":
            result += " | None"
        params: list[_Node | str] = ["client: Client"]
        arg_names = _py_names(a.name for a in function.args)
        keyword_only = False
        for arg in function.args:
            annotation = self.annotation(arg.type_oid)
            if arg.has_default:
                if not keyword_only:
                    params.append("*")
                    keyword_only = True
                params.append(f"{arg_names[arg.name]}: {annotation} | None = OMIT")
            else:
                params.append(f"{arg_names[arg.name]}: {annotation}")
        decorator_args: list[_Node | str] = [_quote(function.schema), _quote(function.name)]
        decorator_args.append(_Node("{", [f"{_quote(a.name)}: {_quote(self._sql_type(a.type_oid))}"
                                          for a in function.args], "}"))  # fmt: skip
        if returns != "scalar":
            decorator_args.append(f"returns={_quote(returns)}")
        if function.returns_set:
            decorator_args.append("returns_set=True")
        variadic = next((a.name for a in function.args if a.variadic), None)
        if variadic:
            decorator_args.append(f"variadic={_quote(variadic)}")
        lines = _fmt(_Node("@rpc(", decorator_args, ")"), 0)
        lines += _fmt(_Node(f"def {py_name}(", params, f") -> {result}:"), 0)
        doc = function.comment or f"Call {function.schema}.{function.name}() (POST /rest/v1/rpc/{function.name})."
        defaults = [f"{a.name} defaults to {a.default}" for a in function.args if a.has_default]
        tail = f"\n\nSQL: {function.schema}.{function.name}({function.identity})"
        if defaults:
            tail += "; " + ", ".join(defaults) + " (leave OMIT to use it)"
        lines += _doc(doc + tail, "    ")
        self.blocks.append(lines)

    def _sql_type(self, oid: int) -> str:
        return self.types[oid].sql_name

    # module ------------------------------------------------------------------------------------

    def render(self) -> str:
        for relation in self.catalog.relations:
            self.relation(relation)
        rpc_names: dict[str, str] = {}
        used: set[str] = set()
        overloads = collections.Counter((f.schema, f.name) for f in self.catalog.functions)
        for function in self.catalog.functions:
            qualified = function.name if function.schema == "public" else f"{function.schema}_{function.name}"
            base = _snake(qualified)
            if base in self.section.names:  # `rpc`, `json`...: the runtime section's own names
                base += "_"
            py_name, n = base, 1
            while py_name in used:
                n += 1
                py_name = f"{base}_{n}"
            used.add(py_name)
            overloaded = overloads[(function.schema, function.name)] > 1
            key = f"{function.schema}.{function.name}" + (f"({function.identity})" if overloaded else "")
            rpc_names[key] = py_name
            self.function(function, py_name)
        models = [f"{_quote(r.qualified)}: {self.relation_names[r.oid]}Row" for r in self.catalog.relations]
        tables = _Node("ROW_MODELS: dict[str, type[Row]] = {", list(models), "}")
        rpcs = _Node("RPCS = {", [f"{_quote(k)}: {v}" for k, v in rpc_names.items()], "}")
        imports = {("__future__", "annotations", None), *self.section.imports, *(_IMPORTS[n] for n in self.imports)}
        # isort: one blank line after the imports before a comment (the runtime section's first line).
        parts = ["\n".join([*self.header, "", *render_imports(imports), "", self.section.text])]
        parts += ["\n".join(block) for block in self.blocks]
        tables_doc = _doc("Row model of each exposed table and view.", "")
        rpcs_doc = _doc("Generated function of each RPC, by schema.name (and arguments if overloaded).", "")
        parts.append("\n".join([*_fmt(tables, 0), *tables_doc]))
        parts.append("\n".join([*_fmt(rpcs, 0), *rpcs_doc]))
        return "\n\n\n".join(parts) + "\n"


# =============================================================================================
# Entry points
# =============================================================================================

DEFAULT_ROLES: tuple[str, ...] = ("anon", "authenticated")
"""Roles whose grants make an object part of the generated API (``--role`` adds more)."""


@dataclass(frozen=True)
class GeneratedTypes:
    """The result of :func:`generate_types`.

    Attributes:
        text: the module source.
        schemas: the schemas read; ``schemas_source`` says where that list came from.
        roles: the roles whose grants decided what is exposed.
        tables, views, functions: how many of each were generated.
        enums, composites, domains: how many types were generated.
        skipped: functions left out, each with the reason.
    """

    text: str
    schemas: list[str]
    schemas_source: str
    roles: list[str]
    tables: int
    views: int
    functions: int
    enums: int
    composites: int
    domains: int
    skipped: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary (``--format json``), without the module text."""
        return {k: v for k, v in self.__dict__.items() if k != "text"}


def generate_types(
    conn: psycopg.Connection,
    *,
    project: Project | None = None,
    schemas: Sequence[str] | None = None,
    roles: Sequence[str] = DEFAULT_ROLES,
    include_all: bool = False,
) -> GeneratedTypes:
    """Generate the Python module for the database of ``conn``.

    Args:
        conn: a connection to the migrated database (read only: nothing is changed).
        project: the Supabase project, for ``[api] schemas`` of ``supabase/config.toml``.
        schemas: ``--schema``: the schemas to generate; default as ``khepri-db doctor`` decides
            the exposed schemas (:func:`khepri_db.doctor.config.resolve_exposed_schemas`: config.toml,
            ``pgrst.db_schemas``, ``public``), less the schemas Supabase manages.
        roles: API roles whose grants make a table, view or function part of the API.
        include_all: every object of the schemas, whatever the grants.

    Returns:
        :class:`GeneratedTypes` (the module text and what it holds).

    Raises:
        UsageError: no schema is left to generate.
    """
    from khepri_db.doctor.config import EXCLUDED_SCHEMAS, resolve_exposed_schemas

    exposed = resolve_exposed_schemas(conn, project, schemas)
    kept = [s for s in exposed.schemas if s not in EXCLUDED_SCHEMAS or schemas]
    if not kept:
        raise errors.UsageError(
            f"no schema to generate types for: {', '.join(exposed.schemas)} (from {exposed.source}) are all "
            "managed by Supabase", hint="name the schemas with --schema")  # fmt: skip
    catalog = read_catalog(conn, kept, roles, include_all=include_all)
    options = " ".join(f"--schema {s}" for s in kept)
    options += "".join(f" --role {r}" for r in roles if r not in DEFAULT_ROLES)
    options += " --all" if include_all else ""
    reach = "everyone (--all)" if include_all else ", ".join(catalog.roles) or "no existing role"
    about = (
        f"Generated by `khepri-db gen types --lang python {options}`: do not edit, regenerate.\n"
        f"Schemas: {', '.join(kept)}; objects reachable by: {reach}.\nMigrations: {catalog.migrations}.\n"
        "Imports pydantic, and psycopg or supabase-py only when an RPC is called through them: "
        "what it needs of khepri-db is copied into its runtime section."
    )
    header = ['"""Types of the Supabase/PostgREST API of a database, for pydantic v2.', ""]
    header += [line for paragraph in about.split("\n") for line in textwrap.wrap(paragraph, 88)]
    header.append('"""')
    if catalog.skipped:
        header += ["", "# Not generated:"]
        for item in catalog.skipped:
            header += textwrap.wrap(f"- {item}", 88, initial_indent="# ", subsequent_indent="#   ")
    renderer = _Renderer(catalog, header)
    text = renderer.render()
    kinds = [renderer.types[oid].typtype for oid in renderer.type_names]
    return GeneratedTypes(
        text=text, schemas=kept, schemas_source=exposed.source, roles=catalog.roles,
        tables=sum(r.is_table for r in catalog.relations), views=sum(not r.is_table for r in catalog.relations),
        functions=len(catalog.functions), enums=kinds.count("e"), composites=kinds.count("c"),
        domains=kinds.count("d"), skipped=catalog.skipped,
    )  # fmt: skip


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff from the file on disk (``old``) to the freshly generated module (``new``); empty
    when they differ only in the header's ``Migrations:`` line, which says which migrations the file
    was generated after (informational: a migration that changes nothing the types show, such as an
    index, leaves the types current)."""
    if _without_migrations_line(old) == _without_migrations_line(new):
        return ""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"{path} (on disk)", f"{path} (database)"
        )
    )


def _without_migrations_line(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("Migrations: "))
