"""The values ``access init`` gives a row factory's columns: candidates from the column's type, enum
labels and CHECK constraints, kept when a copy of the table accepts them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from khepri_db.access._fixtures import _message
from khepri_db.access._init_catalog import CatTable, type_length
from khepri_db.access._init_state import InitState
from khepri_db.access.declaration import (
    REF,
    find_references,
)
from khepri_db.core.catalog import Column
from khepri_db.core.checks import number_value, read_check

_SAMPLE_USER = uuid.UUID("00000000-0000-4000-8000-00000000a11c")
_SAMPLE_RUN = "0123456789ab"


def sample_value(value: Any) -> Any:
    """``value`` with its references replaced by stand-ins, to test it against CHECK constraints."""
    samples = {"user.id": _SAMPLE_USER, "user.email": "probe@access.khepri.test", "run.id": _SAMPLE_RUN}
    if isinstance(value, str):
        refs = find_references(value)
        if len(refs) == 1 and value == "{" + refs[0] + "}":
            return samples.get(refs[0])
        return REF.sub(lambda m: str(samples.get(m.group(1), "x")), value)
    return value


def unused_random_hex(conn: psycopg.Connection, schema: str, table: str, column: str, length: int) -> str:
    """A SQL expression drawing ``length`` random hex digits (1 to 64) that no row of ``schema.table`` holds
    in ``column`` yet: the first of 64 draws not found there (NULL when all are), for a unique column too short
    for a uuid. A bare draw collides: 2 digits give 256 values, so two of the few rows a run makes share one
    about once in a hundred runs (stewardtrack's ``country_code varchar(2)``). Row factories run as the
    connecting role, which sees every row; an insert probe run as an API role sees only the rows its
    policies show (a collision there falls back as any fresh key does). The names are quoted as the
    server's ``quote_ident`` does (only where needed), the expression lands in a file people read."""
    quoted = conn.execute(
        "select format('%%I.%%I', %s::text, %s::text), format('%%I', %s::text)", (schema, table, column)
    ).fetchone()
    assert quoted is not None  # a select without FROM returns its one row
    target, key = quoted
    return (
        f"(select d.v from (select substr(md5(random()::text) || md5(random()::text), 1, {length}) as v "
        f"from generate_series(1, 64)) as d where not exists (select from {target} as t where t.{key}::text = d.v) "
        "limit 1)"
    )


class ValueCandidates(InitState):
    """The values :class:`~khepri_db.access._init_rows.Generator` tries for a column, best first, each
    tested against a copy of the table that holds its single-column CHECK constraints (mixed into
    ``Generator``; what it uses of it is declared by :class:`~khepri_db.access._init_state.InitState`)."""

    def _candidates(self, table: CatTable, column: Column, unique: bool, shared: bool) -> list[Any]:
        """Values to try for ``column``, best first (the CHECK constraints decide among them)."""
        checks = [read_check(c) for c in column.all_checks]
        readings = [*checks, *(read_check(c) for c in table.related.get(column.name, []))]
        strings = list(dict.fromkeys(s for r in readings for s in r.strings))
        counts = [n for r in checks for n in r.repetitions]  # of its own patterns: '^[0-9a-f]{64}$' -> 64
        numbers = [number_value(n) for n in dict.fromkeys([*(n for r in readings for n in r.numbers), *counts])]

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
            for number in numbers:
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
            if re.fullmatch(r"(?:\w+_)?uuid(?:_\w+)?", name) and not strings:
                # a uuid kept as text ("uuid", "order_uuid"): code and triggers cast it back to uuid
                values.append({"sql": f"gen_random_uuid()::{column.type}"})
            values += strings
            lengths = sorted({n for n in numbers if isinstance(n, int) and 0 < n <= 200})
            limit = type_length(column)
            if limit is not None and limit not in lengths and limit <= 200:
                lengths.append(limit)
            word = re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "x"
            if unique and not shared and limit is not None and limit < len(word) + 37:
                # char(n)/varchar(n) shorter than "<word>-<uuid>": a cast would cut the value down to a few
                # characters the owners' two rows could share; random hex of the column's length instead
                # (a shared table has one row: a constant fits)
                values.append(
                    {"sql": unused_random_hex(self.conn, table.schema, table.table, column.name, min(limit, 64))}
                )
            values.append(f"{word}-{tag}" if unique else word if not strings else strings[0])
            if unique:  # a shorter unique value, for length limits
                values.append({"sql": f"'{word[:20]}-' || substr(md5(random()::text), 1, 8)"})
            values += [f"{word}-{tag}", word]
            for n in lengths:
                values += ["x" * n, "x" * max(n - 1, 1), "x" * (n + 1), "0" * n, "a" * n]
            values += ["x", "a", "A"]
            return values
        return []

    def _fits(self, probe: sql.Identifier, chosen: Mapping[str, Any], table: CatTable) -> tuple[str, str] | None:
        """None when ``chosen`` passes the table's CHECK constraints (tested on a constraint copy of the
        table with every column nullable), else (Postgres' message, the constraint's name or "")."""
        columns, rendered, params = self._rendered(chosen, table)
        if not columns:
            return None
        query = sql.SQL("insert into {} ({}) values ({})").format(
            probe, sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.SQL(", ").join(rendered)
        )
        # savepoint, insert (its values inlined as literals) and rollback in one round trip; a second
        # one, the rollback, when the insert fails
        statement = sql.SQL(self._mogrifier.mogrify(query, params))
        try:
            self.conn.execute(
                sql.SQL("savepoint khepri_fits;\n{}\n;rollback to savepoint khepri_fits; release savepoint khepri_fits")
                .format(statement)
            )  # fmt: skip
        except psycopg.Error as exc:
            self.conn.execute("rollback to savepoint khepri_fits; release savepoint khepri_fits")
            return _message(exc), exc.diag.constraint_name or ""
        return None

    def _rendered(
        self, chosen: Mapping[str, Any], table: CatTable
    ) -> tuple[list[str], list[sql.Composable], list[Any]]:
        """(columns, their SQL values, parameters) of a trial row: references replaced by stand-ins
        (:func:`sample_value`), each value cast to its column's type."""
        columns = list(chosen)
        rendered: list[sql.Composable] = []
        params: list[Any] = []
        for name in columns:
            value = chosen[name]
            if isinstance(value, dict) and set(value) == {"sql"}:
                rendered.append(sql.SQL("(" + value["sql"].replace("%", "%%") + ")"))
                continue
            base = table.columns[name].base
            bound = sample_value(value)
            if bound is None:  # the parent row's value: any value of the type will do for a CHECK
                bound = _SAMPLE_USER if base == "uuid" else 1 if table.columns[name].category == "N" else "x"
            if base in ("json", "jsonb") and not isinstance(bound, str):
                bound = Jsonb(bound)
            rendered.append(sql.Composed([sql.Placeholder(), sql.SQL("::" + table.columns[name].type)]))
            params.append(bound)
        return columns, rendered, params

    def _valid_candidates(self, table: CatTable, column: Column, unique: bool, shared: bool) -> Iterator[Any]:
        """The candidates of ``column`` that pass its own CHECK constraints (and its domain's)."""
        assert self._single is not None
        for candidate in self._candidates(table, column, unique, shared):
            if self._fits(self._single, {column.name: candidate}, table) is None:
                yield candidate

    def _settle(
        self, probe: sql.Identifier, table: CatTable, row: Mapping[str, Any], shared: bool
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
                      and not table.columns[c].set_by_database]  # fmt: skip
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
