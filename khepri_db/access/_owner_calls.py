"""Function calls made with the owner's data: the arguments of an exposed function taken from rows that
belong to the owner, so that anon's and another user's calls aim at rows that exist (issue 22).

A generated call (``'x'::text``, ``1::bigint``) rarely names a row, so a SECURITY DEFINER function that
updates "the row whose email is ``p_email``" changes nothing when probed with it. :class:`OwnerData`
gathers, once per run, the rows that belong to the run's owner in every table the connecting role may
read (non-exposed schemas included: a project table in ``auth`` made for the owner by a trigger on
``auth.users``):

* the owner's ``auth.users`` row, and every row with a ``uuid`` column holding the owner's user id or a
  column named like ``email`` holding the owner's email;
* the owner's rows made by the declaration's factories;
* rows referencing any of those through a single-column foreign key (the owner's tenant), two levels deep.

:meth:`OwnerData.call` builds, for one function, a call whose arguments come from the one owner's row
whose columns cover the most parameters (names compared without the ``p_``, ``_`` or ``in_`` prefix; a
``<table>_id`` parameter takes the ``id`` of a row of ``<table>``), the owner's user id and email for
the parameters no row covers (``user_id``, ``email``...), and plain values of the type for the rest.
:data:`OwnerData.watch` is the query, run after the call in the same savepoint, counting per table how
many of those rows are still as they were (their ``ctid`` still visible: an update makes a new row
version, a delete removes it).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from khepri_db.core.catalog import read_relations
from khepri_db.core.project import load_sql

_SKIPPED_SCHEMAS = (
    "pg_catalog", "information_schema", "pg_toast", "cron", "extensions", "graphql", "graphql_public", "net",
    "pgmq", "pgsodium", "pgsodium_masks", "pgtle", "pgbouncer", "realtime", "supabase_functions",
    "supabase_migrations", "vault", "_timescaledb_cache", "_timescaledb_catalog", "_timescaledb_config",
    "_timescaledb_internal",
)  # fmt: skip
"""Schemas whose rows never belong to a user (Supabase's and extensions' bookkeeping); ``auth``, ``storage``
and the project's schemas are read."""

_UUID_TYPE = 2950
_TEXT_TYPES = (25, 1043, 1042)
"""The oids of ``uuid`` and of ``text``, ``varchar`` and ``bpchar`` (fixed in PostgreSQL's ``pg_type.dat``): a
column holding the owner's id is typed ``uuid``, one holding the email one of these (the column's own type: a
column typed with a domain over them is not read)."""

_ROWS_PER_TABLE = 20
"""At most this many of the owner's rows per table (the run's database holds the factories' rows and
the seed's: a table where more rows carry the owner's id is a log)."""


def plain_argument(type_: str, category: str, label: str | None) -> str:
    """A plain SQL literal of type ``type_`` (``format_type`` spelling), for an argument nothing names:
    the first enum label, ``'{}'`` for arrays and json, ``1`` for numbers, ``true``, ``now()`` for dates,
    ``'x'`` for strings, a new uuid, else ``null``. ``category``: ``pg_type.typcategory`` of the
    type (of a domain's base type)."""
    if type_ == "uuid":
        return "gen_random_uuid()"
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


def bare_name(parameter: str) -> str:
    """A parameter's name compared with column names: lower case, without ``p_``, ``_`` or ``in_``."""
    return parameter.lower().removeprefix("p_").removeprefix("_").removeprefix("in_")


@dataclass(frozen=True)
class Signature:
    """One function as an owner's-data call needs it.

    Attributes:
        oid: ``pg_proc.oid``.
        name: ``schema.name`` quoted as SQL.
        params: the input parameters in order: (name, ``format_type`` type, type category, first enum label).
        required: how many of them have no default.
        named: every parameter has a name (the call may use named notation and skip defaulted ones).
        anon: anon may run it (EXECUTE and USAGE on its schema).
        authenticated: a signed-in user may run it.
    """

    oid: int
    name: str
    params: tuple[tuple[str, str, str, str | None], ...]
    required: int
    named: bool
    anon: bool
    authenticated: bool


@dataclass(frozen=True)
class OwnerCall:
    """A call of one function with the owner's data: ``statement`` (SQL, literals inlined), the table
    of the owner's row the arguments came from, the parameters given a value (from that row, the owner's
    user or a reference row) and those values, as text."""

    statement: str
    source: str
    covered: tuple[str, ...]
    values: tuple[str, ...]


@dataclass
class _Row:
    table: str
    values: dict[str, Any]


@dataclass
class OwnerData:
    """The owner's rows of one run (see the module's docstring); empty when they could not be read.

    Attributes:
        rows: the owner's rows (table, column values as JSON), the owner's ``auth.users`` row first.
        watched: table -> the ``ctid`` of the owner's rows there, as text.
        auth_project_tables: tables of the ``auth`` schema the project made (not owned by Supabase Auth).
        user: the owner's user values (``id``, ``email``) and their aliases (``user_id``, ``uid``...).
        with_id: table name without schema or ``_v<n>`` suffix -> the tables of that name with an ``id``
            column, for the ``<table>_id`` parameters no row of the owner's covers (a plan, a product).
    """

    rows: list[_Row] = field(default_factory=list)
    watched: dict[str, list[str]] = field(default_factory=dict)
    auth_project_tables: set[str] = field(default_factory=set)
    user: dict[str, Any] = field(default_factory=dict)
    with_id: dict[str, list[str]] = field(default_factory=dict)
    _plain: dict[str, str] = field(default_factory=dict)
    _by_name: dict[str, list[int]] | None = None
    _conn: psycopg.Connection | None = None
    _ids: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def read(
        cls,
        conn: psycopg.Connection,
        user_id: str,
        email: str | None,
        factory_rows: Mapping[str, tuple[Sequence[str], Mapping[str, Any]]],
    ) -> OwnerData:
        """Read the owner's rows as the connecting role, in a savepoint (a table it cannot read leaves
        everything empty rather than failing the run).

        Args:
            conn: the run's connection, in its transaction, after the factories made their rows.
            user_id: the owner's ``auth.users.id``.
            email: the owner's email.
            factory_rows: ``schema.table`` -> (primary key columns, the owner's row) of the factories' rows.
        """
        data = cls(_conn=conn)
        data.user = {"id": user_id, "user_id": user_id, "uid": user_id, "owner_id": user_id, "owner": user_id}
        if email:
            data.user.update(email=email, user_email=email)
        try:
            with conn.transaction():
                data._read(conn, user_id, email, factory_rows)
        except psycopg.Error:
            return cls(user=data.user)
        return data

    def _read(
        self,
        conn: psycopg.Connection,
        user_id: str,
        email: str | None,
        factory_rows: Mapping[str, tuple[Sequence[str], Mapping[str, Any]]],
    ) -> None:
        tables = conn.execute(load_sql("access", "owner_tables.sql"), {"skipped": list(_SKIPPED_SCHEMAS)}).fetchall()
        relations = read_relations(conn, [oid for oid, *_ in tables])
        names = {oid: name for oid, name, *_ in tables}
        mogrify = psycopg.ClientCursor(conn).mogrify
        self.auth_project_tables = {
            f"{schema}.{table}" for _, _, schema, table, auth in tables if schema == "auth" and not auth
        }
        plain = {f"{schema}.{table}": name for _, name, schema, table, _ in tables}
        self._plain = {name: key for key, name in plain.items()}
        parts: list[str] = []
        for oid, name, schema, table, _ in tables:
            columns = relations[oid].columns if oid in relations else []  # dropped since: nothing to read
            if schema != "auth" and any(c.name == "id" for c in columns):
                self.with_id.setdefault(_VERSION.sub("", table), []).append(name)
            uuids = [c.name for c in columns if c.type_oid == _UUID_TYPE]
            emails = [c.name for c in columns if c.type_oid in _TEXT_TYPES and "email" in c.name.lower()]
            conditions = [mogrify(sql.SQL("{} = %s::uuid").format(sql.Identifier(c)), (user_id,)) for c in uuids]
            if email:
                conditions += [
                    mogrify(sql.SQL("lower({}) = lower(%s)").format(sql.Identifier(c)), (email,)) for c in emails
                ]
            for key, (pk, row) in factory_rows.items():
                if plain.get(key) == name and pk and all(c in row for c in pk):
                    conditions.append(" and ".join(
                        mogrify(sql.SQL("{}::text = %s").format(sql.Identifier(c)), (str(row[c]),)) for c in pk
                    ))  # fmt: skip
            if conditions:
                parts.append(self._select(name, " or ".join(f"({c})" for c in conditions)))
        found = self._fetch(conn, parts)
        keys = [  # single-column foreign keys between the tables read: table, column, referenced table, column
            (relation.oid, fk.columns[0], fk.target_oid, fk.target_columns[0])
            for relation in relations.values()
            for fk in relation.foreign_keys
            if len(fk.columns) == 1 and fk.target_oid in names
        ]
        for _level in range(2):
            # rows referencing the owner's rows: the owner's tenant (its members, orders, files...)
            values: dict[tuple[str, str], set[str]] = {}
            for row in found:
                for column, value in row.values.items():
                    if value is not None and not isinstance(value, dict | list):
                        values.setdefault((row.table, column), set()).add(str(value))
            parts = []
            for table_oid, column, target_oid, target_column in keys:
                referenced = values.get((names[target_oid], target_column))
                if referenced:
                    condition = mogrify(
                        sql.SQL("{}::text = any(%s)").format(sql.Identifier(column)), (sorted(referenced),)
                    )
                    parts.append(self._select(names[table_oid], condition))
            found = self._fetch(conn, parts)
            if not found:
                break

    @staticmethod
    def _select(table: str, condition: str) -> str:
        return (
            f"(select {sql.Literal(table).as_string(None)}::text, t.ctid::text, to_jsonb(t) from {table} as t "
            f"where {condition} limit {_ROWS_PER_TABLE})"
        )

    def _fetch(self, conn: psycopg.Connection, parts: Sequence[str]) -> list[_Row]:
        """Run the union of ``parts`` (table, ctid, row) and keep the rows not seen yet."""
        if not parts:
            return []
        new: list[_Row] = []
        for table, ctid, values in conn.execute("\nunion all\n".join(parts)).fetchall():
            seen = self.watched.setdefault(table, [])
            if ctid in seen:
                continue
            seen.append(ctid)
            row = _Row(table, values)
            new.append(row)
            self.rows.append(row)
        return new

    def watch(self, wrote: Mapping[str, int]) -> str | None:
        """A query returning one row, ``{table: rows still unchanged}`` (jsonb) of the owner's rows in the
        tables a call wrote (``wrote``: ``schema.table`` as ``pg_stat_xact_user_tables`` names them), to run
        after the call in the same transaction; None when the call wrote none of the tables holding
        the owner's rows (then it changed none of them)."""
        parts = []
        for table, ctids in self.watched.items():
            if self._plain.get(table) not in wrote:
                continue
            tids = sql.Literal("{" + ",".join(f'"{c}"' for c in ctids) + "}").as_string(None)
            parts.append(
                f"select {sql.Literal(table).as_string(None)}::text as t, count(*) as n from {table} "
                f"where ctid = any({tids}::tid[])"
            )
        if not parts:
            return None
        return "select coalesce(jsonb_object_agg(t, n), '{}') from (" + " union all ".join(parts) + ") as w"

    def changed(self, unchanged: Mapping[str, int]) -> dict[str, int]:
        """Table -> how many of the owner's rows a call changed (updated or deleted), from :meth:`watch`'s
        row (tables it did not look at are unchanged)."""
        return {t: len(self.watched[t]) - int(n) for t, n in unchanged.items() if len(self.watched.get(t, [])) > int(n)}

    def _reference_id(self, parameter: str) -> str | None:
        """For a ``<table>_id`` parameter (its bare name), the ``id`` of the first row of a table of that
        name (``plan_id``: ``billing.plans``), read once as the connecting role; None without one."""
        if not parameter.endswith("_id") or self._conn is None:
            return None
        stem = parameter.removesuffix("_id")
        if stem not in self._ids:
            self._ids[stem] = None
            forms = (stem, stem + "s", stem + "es", stem.removesuffix("y") + "ies")
            for table in (t for form in forms for t in self.with_id.get(form, [])):
                try:
                    with self._conn.transaction():
                        row = self._conn.execute(f"select id::text from {table} limit 1").fetchone()
                except psycopg.Error:
                    continue
                if row is not None:
                    self._ids[stem] = row[0]
                    break
        return self._ids[stem]

    def call(self, signature: Signature) -> OwnerCall | None:
        """A call of ``signature`` with the owner's data, or None when no parameter names any of it.

        The row covering the most parameters (on a tie, the one whose column names match more
        parameters, then the first read: tables in creation order) gives their values; the owner's
        user id and email fill parameters named for them (``user_id``, ``uid``, ``owner_id``,
        ``email``); a ``<table>_id`` parameter still uncovered takes the ``id`` of any row of that
        table (reference data: a plan); the rest take :func:`plain_argument`. Parameters with a
        default that nothing covers are left out when every parameter has a name (named notation),
        else only the required ones are passed.
        """
        params = signature.params
        if self._by_name is None:  # rows by the parameter names they may answer to
            self._by_name = {}
            for index, row in enumerate(self.rows):
                table = _VERSION.sub("", row.table.rsplit(".", 1)[-1].strip('"'))
                names = set(row.values)
                if "id" in row.values:
                    names |= {f"{t}_id" for t in _singulars(table)}
                for name in names:
                    self._by_name.setdefault(name, []).append(index)
        hits: Counter[int] = Counter(i for p in params for i in self._by_name.get(bare_name(p[0]), []))
        best: tuple[int, _Row | None, dict[int, Any]] = (0, None, {})
        for index, most in sorted(hits.items(), key=lambda item: (-item[1], item[0])):
            if most <= best[0]:
                break
            row = self.rows[index]
            covered = {i: v for i, p in enumerate(params) if (v := _covers(row, p)) is not None}
            if len(covered) > best[0]:
                best = (len(covered), row, covered)
        _, source, values = best
        for i, p in enumerate(params):
            if i not in values and (v := _fits(self.user.get(bare_name(p[0])), p)) is not None:
                values[i] = v
        if not values:
            return None
        for i, p in enumerate(params):
            if i not in values and (v := _fits(self._reference_id(bare_name(p[0])), p)) is not None:
                values[i] = v
        arguments: list[str] = []
        for i, (name, type_, category, label) in enumerate(params):
            if i >= signature.required and i not in values:
                if signature.named:
                    continue
                break
            if i in values:
                literal = sql.Literal(values[i]).as_string(None) + "::" + type_
            else:
                literal = plain_argument(type_, category, label)
            arguments.append(f"{_ident(name)} => {literal}" if signature.named else literal)
        statement = f"select {signature.name}({', '.join(arguments)})"
        covered_names = tuple(params[i][0] for i in sorted(values))
        given = tuple(str(values[i]) for i in sorted(values))
        return OwnerCall(statement, source.table if source is not None else "auth.users", covered_names, given)


def read_signatures(conn: psycopg.Connection, oids: Sequence[int]) -> dict[int, Signature]:
    """The :class:`Signature` of each function of ``oids`` that takes arguments and may write: not a
    trigger function, and volatile (Postgres refuses an insert, update or delete in a stable or
    immutable function); variadic functions are left out (a generated call does not fit them)."""
    found: dict[int, Signature] = {}
    if not oids:
        return found
    for row in conn.execute(load_sql("access", "owner_call_signatures.sql"), {"oids": list(oids)}).fetchall():
        oid, nargs, ndefaults, names, modes, types, categories, labels, schema, proname, anon, authenticated = row
        if not nargs or "v" in modes:
            continue
        inputs = [n for n, m in zip(names, modes, strict=False) if m in ("i", "b")] if modes else list(names)
        inputs += [""] * (nargs - len(inputs))
        params = tuple(zip(inputs, types, categories, labels, strict=True))
        qualified = f"{_ident(schema)}.{_ident(proname)}"
        found[oid] = Signature(oid, qualified, params, nargs - ndefaults, all(inputs), bool(anon), bool(authenticated))
    return found


def _ident(name: str) -> str:
    """``name`` as SQL: bare when it is a plain lower-case identifier (as a person writes it), else quoted."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else sql.Identifier(name).as_string(None)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_VERSION = re.compile(r"_v\d+$")


def _singulars(table: str) -> set[str]:
    """The names a ``<name>_id`` parameter may give a table: itself and its singulars (``notes``: note,
    ``companies``: company, ``boxes``: box), the inverse of the plurals :func:`_covers` tries."""
    names = {table}
    if table.endswith("s"):
        names.add(table[:-1])
    if table.endswith("es"):
        names.add(table[:-2])
    if table.endswith("ies"):
        names |= {table[:-3] + "y", table[:-3]}
    return names


def _covers(row: _Row, param: tuple[str, str, str, str | None]) -> str | None:
    """The text of ``row``'s value for ``param`` when a column of the row answers to its name and the
    value fits its type, else None."""
    bare = bare_name(param[0])
    if not bare:
        return None
    value = row.values.get(bare)
    if value is None and bare.endswith("_id"):
        table = _VERSION.sub("", row.table.rsplit(".", 1)[-1].strip('"'))
        stem = bare.removesuffix("_id")
        if table in (stem, stem + "s", stem + "es", stem.removesuffix("y") + "ies"):
            value = row.values.get("id")
    return _fits(value, param)


def _fits(value: Any, param: tuple[str, str, str, str | None]) -> str | None:
    """``value`` as the text of a literal of ``param``'s type, or None when it cannot be one."""
    _, type_, category, label = param
    if value is None or category == "A" or type_.endswith("[]") or label is not None:
        return None
    if type_ in ("json", "jsonb"):
        return json.dumps(value)
    if isinstance(value, dict | list):
        return None
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if category == "N" and not _NUMBER.match(text):
        return None
    if type_ == "uuid" and not _UUID.match(text):
        return None
    if category == "B" and not isinstance(value, bool):
        return None
    return text
