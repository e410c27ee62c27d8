"""What a failed statement's error says: the line in the file, and a hint for the errors a
Supabase project's migrations hit on a server that is not Supabase (missing extensions and roles).
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from khepri_db.core.errors import (
    SqlErrorInfo,
)
from khepri_db.core.project import bundled_path
from khepri_db.core.sqltext import Statement, line_at

_HINTS = {
    "25001": "This statement cannot run inside a transaction. Move it to a migration file of its own: "
    "a file holding one such statement runs outside a transaction.",
    "42P07": "The object already exists: the database was probably changed outside migrations. "
    "Compare it with `khepri-db status`, or make the statement idempotent (`if not exists`).",
    "42710": "The object already exists: the database was probably changed outside migrations.",
    "58P01": "The server does not ship this extension (docs/extensions/README.md lists khepri-db's "
    "stand-ins); migrate a server that has it with --db-url.",
    "0A000": "The server does not support this. If it is an extension, the embedded engine may lack it; "
    "migrate a server that has it with --db-url.",
}

_MORE_HINTS = {
    "55P04": "In a migration: put `commit;` right after the `alter type ... add value` (the file then runs "
    "in two transactions, as `supabase db push` runs it), or use the value in a later migration file.",
}
"""Said after PostgreSQL's own hint for these SQLSTATEs."""

_REAL_ENGINE = (
    "migrate a database that has it: a Supabase project or `supabase start` (--db-url), or test on "
    "Supabase's own image with the pytest plugin's --khepri-engine docker"
)

_NO_STANDIN = {
    "postgis": "PostGIS is C code inside the server (geometry types, their GiST operator classes): khepri-db "
    "has no stand-in for it. `--engine system` loads the server's own PostGIS when it is installed "
    "(Debian/Ubuntu: apt-get install postgresql-15-postgis-3).",
}
"""Extensions khepri-db cannot stand in for, by name: what they are, said when one is not available.
timescaledb is not one: its stand-in records hypertables without chunking them (docs/extensions/timescaledb.md)."""

_UNAVAILABLE_EXTENSION = re.compile(
    r'extension "(?P<name>[^"]+)" is not available'
    r'|could not open extension control file "[^"]*/(?P<file>[^"/]+)\.control"'
)


def _extension_hint(info: SqlErrorInfo) -> str | None:
    """For ``create extension`` of an extension the server lacks: why khepri-db has no stand-in (or
    that its stand-in exists only on servers khepri-db starts), and where the real extension runs.

    Returns:
        The hint, or ``None`` when the error is not about an unavailable extension.
    """
    if info.sqlstate not in ("0A000", "58P01"):
        return None
    match = _UNAVAILABLE_EXTENSION.search(info.message)
    if not match:
        return None
    name = match.group("name") or match.group("file")
    standin = bundled_path("sql", "extensions", name)
    from khepri_db.engines import requires_native  # only on this error path

    if standin.is_dir() and requires_native(name):
        return (
            f"khepri-db's stand-in for {name} has C code, compiled when khepri-db starts the server: it needs "
            "a C compiler (cc, or CC) and the server headers (`pg_config --includedir-server`; the embedded "
            "engine ships them, Debian/Ubuntu: apt-get install postgresql-server-dev-<major>). `khepri-db db "
            f"start` said why it was left out. It is never on a server given by --db-url: there, or {_REAL_ENGINE}."
        )
    if standin.is_dir():
        return (
            f"khepri-db's stand-in for {name} is only on servers khepri-db starts (the embedded engine, the "
            f"default, or --engine system), not on a server given by --db-url: use one of those, or {_REAL_ENGINE}."
        )
    why = _NO_STANDIN.get(name, f"khepri-db has no stand-in for {name} (docs/extensions/README.md lists them).")
    return f"{why} To apply these migrations, {_REAL_ENGINE}."


_CONTEXT_LINE = re.compile(r"(?:inline_code_block|function [^\n]*?) line (\d+)")


def error_line(file_sql: str, statement: Statement, diag: Any, *, base: int = 0, batch: str | None = None) -> int:
    """Map a Postgres error inside ``statement`` to a line of the file.

    Uses the error position when Postgres gives one (the failing token: syntax errors, unknown
    columns, also inside a PL/pgSQL body being created); for a runtime error in a DO block, the
    PL/pgSQL line from the error context, counted from the block's opening dollar quote; else the
    statement's first line that is not a comment.

    ``base`` is the offset of ``statement`` in the query text sent (``batch``, when it went with
    others: see :func:`khepri_db.migrations.execute.execute_statements`). PostgreSQL gives the
    position of an error in a function body only when the body occurs once in the query text; when
    it occurs again elsewhere in the batch, the position inside the body (``internal_position``) is
    mapped through the statement.

    Returns:
        A 1-based line number of ``file_sql``.
    """
    position = diag.statement_position
    if position:
        return line_at(file_sql, statement.offset + int(position) - 1 - base)
    body, inside = diag.internal_query, diag.internal_position
    if batch and body and inside and batch.count(body) > 1 and statement.text.count(body) == 1:
        return line_at(file_sql, statement.offset + statement.text.index(body) + int(inside) - 1)
    context = diag.context or ""
    match = _CONTEXT_LINE.search(context)
    if match and "inline_code_block" in context:
        dollar = re.search(r"\$[A-Za-z0-9_]*\$", statement.text)
        if dollar:
            body_start = line_at(file_sql, statement.offset + dollar.start())
            return body_start + int(match.group(1)) - 1
    return statement.code_line


def sql_error(exc: psycopg.Error) -> SqlErrorInfo:
    """What ``exc`` says, as :class:`SqlErrorInfo`: SQLSTATE, primary message (else the first line of
    the exception's text), detail, hint and context."""
    diag = exc.diag
    message = diag.message_primary or str(exc).strip().splitlines()[0]
    return SqlErrorInfo(diag.sqlstate, message, diag.message_detail, diag.message_hint, diag.context)


def hint_for(info: SqlErrorInfo) -> str | None:
    """The hint a failed statement's error shows: PostgreSQL's hint, else ours for the SQLSTATE; plus
    what :data:`_MORE_HINTS` adds (for an unavailable extension, what :func:`_extension_hint` says).
    ``None`` when there is none."""
    state = info.sqlstate or ""
    extension = _extension_hint(info)
    if extension:
        return f"{info.hint} {extension}" if info.hint else extension
    more = _MORE_HINTS.get(state)
    if info.hint:
        return f"{info.hint} {more}" if more else info.hint
    return _HINTS.get(state) or more
