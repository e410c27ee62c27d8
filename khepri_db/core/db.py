"""Connecting to a target database: one place for connection errors, URL redaction and pooler checks."""

from __future__ import annotations

import contextlib
import secrets
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from khepri_db.core.errors import ConnectionFailedError, ReadOnlyTargetError, TransactionPoolerError, UsageError
from khepri_db.core.hosted import connection_failure_advice, connection_url

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
        An open :class:`psycopg.Connection` with ``application_name`` set to ``khepri-db`` and no
        server-side prepared statements (``prepare_threshold=None``: safe through a
        transaction-mode pooler). A server that is not on this machine is reached with
        ``sslmode=require`` (``verify-full`` with a root certificate) unless the URL or ``PGSSLMODE``
        chooses (:func:`khepri_db.core.hosted.connection_url`).

    Raises:
        ConnectionFailedError: the server is unreachable or refused the login; the message names the
            redacted URL and the server's reason, and says when the host has only IPv6 addresses
            (Supabase's direct connection) or refused the SSL khepri-db asked for.
        UsageError: ``url`` is not a valid connection URL.
    """
    attempted = connection_url(url)
    try:
        return psycopg.connect(
            attempted,
            autocommit=autocommit,
            application_name=APPLICATION_NAME,
            connect_timeout=CONNECT_TIMEOUT_S,
            # No server-side prepared statements: through a transaction-mode pooler (Supavisor on
            # port 6543, PgBouncer < 1.21) a statement prepared on one server connection is unknown
            # on the next. Every face may run there, so none relies on them.
            prepare_threshold=None,
        )
    except psycopg.ProgrammingError as exc:
        raise UsageError(f"invalid database URL {redact(url)}: {exc}") from exc
    except psycopg.OperationalError as exc:
        text = str(exc).strip()
        # The last line that says what failed ("... failed: Network is unreachable"), not libpq's
        # generic "Is the server running on that host...?" that follows it.
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        specific = [line for line in lines if not line.startswith("Is the server running")]
        reason = (specific or lines or [type(exc).__name__])[-1].removeprefix("connection failed: ")
        advice = connection_failure_advice(url, attempted, sqlstate=exc.sqlstate, reason=text)
        raise ConnectionFailedError(
            f"cannot connect to {redact(url)}: {reason}{advice.message if advice else ''}",
            hint=advice.hint
            if advice
            else "Check --db-url / KHEPRI_DB_URL, or start the embedded server with `khepri-db db start`.",
        ) from exc


def require_session_connection(url: str, what: str) -> None:
    """Refuse, before connecting, a URL that names Supabase's transaction pooler (port 6543) for an
    operation that needs a session of its own (see :func:`refuse_unsuitable_target` for the checks
    made once connected).

    Args:
        url: the target URL.
        what: the operation, for the message (e.g. ``"migrate"``).

    Raises:
        TransactionPoolerError: ``url`` is a transaction-pooler URL (exit 2).
    """
    if is_transaction_pooler(url):
        raise _pooler_error(what, url, f"{redact(url)} is Supabase's transaction pooler (port 6543)")


def _pooler_error(what: str, url: str, evidence: str) -> TransactionPoolerError:
    return TransactionPoolerError(
        f"{what} refuses to run through a transaction-mode pooler: {evidence}. Session advisory locks, "
        "session settings and statements outside a transaction do not stay on one server connection there, "
        "so concurrent runs could apply a file twice and a failure could leave part of a file behind.",
        hint=f"use the session pooler or the direct connection: {_session_url_hint(url)}",
    )


def _session_url_hint(url: str) -> str:
    """Where to point instead of ``url``: the same host on port 5432 (Supavisor's session mode on a
    ``*.pooler.supabase.com`` host, the server itself elsewhere)."""
    parts = urlsplit(url)
    if parts.port == 6543:
        user = parts.username or ""
        host = parts.hostname or ""
        netloc = f"{user}:***@{host}:5432" if parts.password is not None else f"{user}@{host}:5432"
        return urlunsplit(parts._replace(netloc=netloc.lstrip("@")))
    return "the server's own port, or the session-mode pool of the pooler in front of it"


_POOLER_ROUNDS = 5
"""Rounds of :func:`transaction_pooler_evidence`'s observation (two queries each)."""

_POOLER_PROBE = (
    "select pg_catalog.pg_backend_pid(), pg_catalog.current_setting('khepri.pooler_probe', true), "
    "pg_catalog.set_config('khepri.pooler_probe', %s, false)"
)
"""The server process, the client's session mark as its last statement left it, and the mark set again."""


def transaction_pooler_evidence(url: str, conn: psycopg.Connection | None = None) -> str | None:
    """Why ``url`` leads to a transaction-mode (or statement-mode) pooler, or None if nothing shows it.

    Port 6543 is Supabase's transaction pooler (Supavisor; the dedicated PgBouncer uses it too).
    Any other URL is observed: two client connections take turns asking for their server process
    (``pg_backend_pid()``), five times, each also reading and setting a session setting of its own
    (``khepri.pooler_probe``, a random mark). On a direct or session-mode connection a client keeps
    one server process, and its settings, for its whole session, and two live clients never share
    one; a transaction-mode pooler returns the server connection to its pool after each transaction,
    and PgBouncer (whose pool is LIFO by default, ``server_round_robin = 0``) hands the one just
    released to the next client. A shared or changed server process, or a mark gone or replaced by
    another client's (other clients of the same pool, concurrent runs included, take turns on those
    server connections), proves transaction pooling; seeing none cannot rule out a pooler that hands
    out connections in another order (hence the port rule too).

    Args:
        url: the target URL.
        conn: an idle autocommit connection to ``url`` the caller holds anyway: it serves as the
            first of the two clients, so only one connection is opened. A connection that is not
            in autocommit mode is not used (inside a transaction a pooler keeps its server process).

    Returns:
        A sentence for an error message, e.g. ``"two client connections were served by the same
        server process (pid 1234)"``, or None.

    Raises:
        ConnectionFailedError: the target cannot be reached.
    """
    if is_transaction_pooler(url):
        return f"{redact(url)} is Supabase's transaction pooler (port 6543)"
    with contextlib.ExitStack() as stack:
        usable = conn is not None and conn.autocommit and not conn.closed
        first = conn if usable else stack.enter_context(connect(url, autocommit=True))
        second = stack.enter_context(connect(url, autocommit=True))
        seen: dict[str, set[int]] = {"first": set(), "second": set()}
        marks = {"first": secrets.token_hex(8), "second": secrets.token_hex(8)}
        for round_ in range(_POOLER_ROUNDS):
            pids = {}
            for name, client in (("first", first), ("second", second)):
                row = client.execute(_POOLER_PROBE, (marks[name],)).fetchone()
                assert row is not None
                pids[name] = int(row[0])
                seen[name].add(pids[name])
                if round_ and row[1] != marks[name]:
                    return (
                        f"a session setting one client connection to {redact(url)} made was "
                        f"{'gone' if not row[1] else 'replaced by another client'} at its next statement: "
                        "a transaction-mode pooler"
                    )
            if pids["first"] == pids["second"]:
                return (
                    f"two client connections to {redact(url)} were served by the same server process "
                    f"(pid {pids['first']}): a transaction-mode pooler"
                )
            for pid_set in seen.values():
                if len(pid_set) > 1:
                    return (
                        f"one client connection to {redact(url)} was served by server processes "
                        f"{', '.join(str(p) for p in sorted(pid_set))} in turn: a transaction-mode pooler"
                    )
    return None


STANDBY = "is a read-only hot standby (pg_is_in_recovery() is true)"
"""What :func:`read_only_reason` says of a hot standby (callers compare with it: a standby can
create nothing, not even temporary tables, where read-only mode can be lifted per transaction)."""


def read_only_reason(conn: psycopg.Connection) -> str | None:
    """Why the server of ``conn`` cannot write, or None if it can.

    Returns:
        ``"is a read-only hot standby (pg_is_in_recovery())"`` on a replica, ``"is in read-only mode
        (default_transaction_read_only = on)"`` on a database that refuses writes by default (what
        Supabase sets when a project's disk is full), else None.
    """
    row = conn.execute(
        "select pg_catalog.pg_is_in_recovery(), pg_catalog.current_setting('default_transaction_read_only')"
    ).fetchone()
    assert row is not None
    if not conn.autocommit:
        conn.rollback()
    if row[0]:
        return STANDBY
    if row[1] == "on":
        return "is in read-only mode (default_transaction_read_only = on)"
    return None


def refuse_unsuitable_target(
    conn: psycopg.Connection, url: str, what: str, *, writes: bool = True, session: bool = True
) -> None:
    """Refuse at once (exit 2), before anything is written, a target the operation must not use.

    Args:
        conn: an open connection to ``url`` (idle; left idle).
        url: the target URL (for the pooler check and the messages).
        what: the operation, for the message (``"migrate"``, ``"seed"``...).
        writes: the operation writes: refuse a hot standby or a database in read-only mode
            (:func:`read_only_reason`).
        session: the operation needs a session of its own (a session advisory lock, session settings,
            statements outside a transaction): refuse a transaction-mode pooler
            (:func:`transaction_pooler_evidence`: one extra connection beside ``conn`` when
            ``conn`` is in autocommit mode, else two). False for an operation
            that runs in one transaction.

    Raises:
        ReadOnlyTargetError: ``writes`` and the server is a hot standby or in read-only mode.
        TransactionPoolerError: ``session`` and the URL leads to a transaction-mode pooler.
        ConnectionFailedError: the target cannot be reached for the pooler check.
    """
    if writes:
        reason = read_only_reason(conn)
        if reason is not None:
            raise ReadOnlyTargetError(
                f"{what} writes, but {redact(url)} {reason}",
                hint="point it at the primary database (a replica's changes come from the primary)",
            )
    if session:
        evidence = transaction_pooler_evidence(url, conn)
        if evidence is not None:
            raise _pooler_error(what, url, evidence)


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
