"""Connecting to a target database: one place for connection errors, URL redaction and pooler checks."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from khepri_db.core.errors import ConnectionFailedError, UsageError

APPLICATION_NAME = "khepri-db"
CONNECT_TIMEOUT_S = 10


def redact(url: str) -> str:
    """Return ``url`` with its password replaced by ``***`` (safe to print or log)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def is_transaction_pooler(url: str) -> bool:
    """True when ``url`` points at Supabase's transaction pooler (Supavisor, port 6543).

    Transaction mode hands each transaction to any server connection, so session state (advisory
    locks, ``SET``, prepared statements, temporary tables) does not survive between statements.
    """
    parts = urlsplit(url)
    return parts.port == 6543


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """Open a psycopg connection to ``url``.

    Args:
        url: a libpq connection URL (``postgresql://user:password@host:port/dbname``).
        autocommit: open the connection in autocommit mode.

    Returns:
        An open :class:`psycopg.Connection` with ``application_name`` set to ``khepri-db``.

    Raises:
        ConnectionFailedError: the server is unreachable or refused the login; the message names the
            redacted URL and the server's reason.
        UsageError: ``url`` is not a valid connection URL.
    """
    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            application_name=APPLICATION_NAME,
            connect_timeout=CONNECT_TIMEOUT_S,
        )
    except psycopg.ProgrammingError as exc:
        raise UsageError(f"invalid database URL {redact(url)}: {exc}") from exc
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise ConnectionFailedError(
            f"cannot connect to {redact(url)}: {reason}",
            hint="Check --db-url / KHEPRI_DB_URL, or start the embedded server with `khepri-db db start`.",
        ) from exc


def require_session_connection(url: str, what: str) -> None:
    """Refuse a transaction-pooler URL for an operation that needs session state.

    Args:
        url: the target URL.
        what: the operation, for the message (e.g. ``"migrate"``).

    Raises:
        UsageError: ``url`` is a transaction-pooler URL.
    """
    if is_transaction_pooler(url):
        raise UsageError(
            f"{what} needs a session connection, but {redact(url)} is Supabase's transaction pooler "
            "(port 6543): advisory locks and session settings do not survive between statements there.",
            hint="Use the direct connection (db.<ref>.supabase.co:5432) or the session pooler (port 5432).",
        )


def server_version(conn: psycopg.Connection) -> str:
    """Return the server's version string, e.g. ``"18.6"``."""
    row = conn.execute("select current_setting('server_version')").fetchone()
    assert row is not None
    return str(row[0]).split()[0]


def database_exists(conn: psycopg.Connection, name: str) -> bool:
    """True if a database called ``name`` exists on the server of ``conn``."""
    return conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone() is not None


def create_database(conn: psycopg.Connection, name: str, *, template: str | None = None) -> None:
    """``create database <name> [template <template>]`` on an autocommit connection.

    A copy of ``template`` also gets the template's per-database settings (``alter database ...
    set``, and ``alter role ... in database ... set``), which ``create database ... template``
    does not copy: the compatibility layer sets the database's ``search_path`` to Supabase's
    ``"$user", public, extensions``, and a clone without it would not find ``extensions.digest``
    and the like unqualified.
    """
    stmt = sql.SQL("create database {}").format(sql.Identifier(name))
    if template:
        stmt = sql.SQL("{} template {}").format(stmt, sql.Identifier(template))
    conn.execute(stmt)
    if not template:
        return
    rows = conn.execute(
        """
        select r.rolname, unnest(s.setconfig)
        from pg_catalog.pg_db_role_setting as s
        join pg_catalog.pg_database as d on d.oid = s.setdatabase
        left join pg_catalog.pg_roles as r on r.oid = s.setrole
        where d.datname = %s
        """,
        [template],
    ).fetchall()
    for role, setting in rows:
        key, _, value = setting.partition("=")
        target = (
            sql.SQL("alter database {} set {} = {}")
            if role is None
            else sql.SQL("alter role {} in database {} set {} = {}")
        )
        names = [sql.Identifier(name)] if role is None else [sql.Identifier(role), sql.Identifier(name)]
        # List settings (search_path...) are stored in their SQL form ("$user", public): pass them
        # as such, as pg_dumpall does; any other value is one literal.
        rendered = sql.SQL(value) if key in _LIST_SETTINGS else sql.Literal(value)  # type: ignore[arg-type]
        conn.execute(target.format(*names, sql.Identifier(key), rendered))


_LIST_SETTINGS = frozenset(
    {"search_path", "temp_tablespaces", "session_preload_libraries", "local_preload_libraries", "dynamic_library_path"}
)
"""Settings PostgreSQL takes as a list (GUC_LIST_INPUT) that a database or role may set."""


def drop_database(conn: psycopg.Connection, name: str) -> None:
    """``drop database if exists <name> with (force)`` on an autocommit connection."""
    conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def with_database(url: str, dbname: str) -> str:
    """Return ``url`` pointing at database ``dbname`` instead (same server and credentials)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))
