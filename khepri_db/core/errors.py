"""The one exception hierarchy of khepri-db.

Every error the toolkit raises on purpose derives from :class:`KhepriError`. Each carries
``exit_code`` (what the CLI exits with: 1 = a failure or finding, 2 = a usage, configuration or
connection problem), a message that says what failed and where, and an optional ``hint`` that says
what to do. ``to_dict()`` gives the JSON shape printed by ``--format json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class KhepriError(Exception):
    """Base class of every khepri-db error.

    Args:
        message: what failed, naming the file, line, object or field concerned.
        hint: what the user can do about it, or ``None``.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"type", "message", "hint", ...}`` for JSON output."""
        return {"type": type(self).__name__, "message": self.message, "hint": self.hint}


class UsageError(KhepriError):
    """Bad arguments, a missing directory or file, or a project layout khepri-db cannot use (exit 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """``supabase/config.toml`` (or another configuration input) is unreadable or invalid (exit 2)."""


class NoProjectError(UsageError):
    """A command needs a project's migrations, seeds or access file, and no ``supabase/``
    directory was found from the current directory upwards (exit 2)."""


class TransactionPoolerError(UsageError):
    """An operation that needs a session of its own was pointed at a transaction-mode pooler (exit 2).

    Through Supavisor's or PgBouncer's transaction mode each transaction may run on another server
    connection: a session advisory lock (the migration lock), a session ``SET`` and a file's
    statements outside a transaction do not stay together. Supabase's docs advise the direct
    connection or the session pooler (port 5432) for migrations. Raised before anything is written.
    """


class ReadOnlyTargetError(UsageError):
    """A writing operation was pointed at a server that cannot write (exit 2): a hot standby (read
    replica) or a database in read-only mode (``default_transaction_read_only``, which Supabase sets
    when a project's disk is full). Raised before anything runs."""


class ConnectionFailedError(KhepriError):
    """The database server could not be reached or refused the login (exit 2).

    The message never contains the password of the URL.
    """

    exit_code = 2


class EngineError(KhepriError):
    """The embedded engine could not initialise, start or stop its server (exit 2)."""

    exit_code = 2


class CompatError(KhepriError):
    """The Supabase compatibility layer could not be installed on the target."""


class LockTimeoutError(KhepriError):
    """Another ``khepri-db migrate`` held the migration lock for longer than ``--lock-timeout``."""


class MigrationOrderError(KhepriError):
    """The local migrations and the database history disagree in a way that needs a decision.

    Raised for pending files older than the newest applied version (``--include-all`` applies them)
    and for versions recorded in the database that have no local file.
    """


@dataclass(frozen=True)
class SqlErrorInfo:
    """What Postgres said about a failed statement, as reported by psycopg's ``Diagnostic``.

    Attributes:
        sqlstate: the five-character SQLSTATE, e.g. ``"42P01"``.
        message: the primary message.
        detail: the DETAIL line, if any.
        hint: the HINT line, if any.
        context: the CONTEXT lines (e.g. the PL/pgSQL line that failed), if any.
    """

    sqlstate: str | None
    message: str
    detail: str | None = None
    hint: str | None = None
    context: str | None = None


class MigrationError(KhepriError):
    """A migration (or seed) file failed; its transaction was rolled back, so nothing of it remains
    (but for ``committed_lines``: a file that commits on its own, as ``supabase db push`` allows,
    keeps the part it committed before the failure).

    Attributes:
        path: the file that failed.
        line: 1-based line in that file where the failing statement (or the error position) is.
        statement_index: 0-based index of the failing statement within the file.
        sql_error: what Postgres reported (SQLSTATE, message, detail, hint, context).
        committed_lines: ``(first, last)`` 1-based lines of the file that were committed before the
            failure and stay applied (the file's own ``commit`` ended their transaction), or ``None``
            when nothing of the file remains.
    """

    def __init__(
        self,
        path: Path,
        line: int | None,
        statement_index: int | None,
        sql_error: SqlErrorInfo,
        *,
        hint: str | None = None,
        committed_lines: tuple[int, int] | None = None,
    ) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        state = f" [SQLSTATE {sql_error.sqlstate}]" if sql_error.sqlstate else ""
        kept = ""
        if committed_lines is not None:
            first, last = committed_lines
            kept = (
                f"; lines {first}-{last} of the file were already committed (by its `commit` at line {last}) and "
                "stay applied; the rest of the file was rolled back and the file is not recorded as applied"
            )
        super().__init__(f"{where}: {sql_error.message}{state}{kept}", hint=hint or sql_error.hint)
        self.path = path
        self.line = line
        self.statement_index = statement_index
        self.sql_error = sql_error
        self.committed_lines = committed_lines

    def to_dict(self) -> dict[str, Any]:
        """Return the base shape plus ``file``, ``line``, ``statement_index``, ``sqlstate``, ``detail``,
        ``context`` and ``committed_lines`` (``[first, last]`` or ``None``)."""
        data = super().to_dict()
        data.update(
            file=str(self.path),
            line=self.line,
            statement_index=self.statement_index,
            sqlstate=self.sql_error.sqlstate,
            detail=self.sql_error.detail,
            context=self.sql_error.context,
            committed_lines=list(self.committed_lines) if self.committed_lines else None,
        )
        return data


class RoleSwitchError(KhepriError):
    """A request context (``as_user``/``as_anon``/``as_service_role``) did not end up with the rights
    it claims: still superuser, still BYPASSRLS, owner of the tables, or a different ``current_user``.

    A policy test that ran under such a context would prove nothing, so it is stopped here.
    """


class DoctorError(KhepriError):
    """A doctor rule file is missing or malformed, or a requested rule name does not exist (exit 2)."""

    exit_code = 2


class RpcError(KhepriError):
    """An RPC call failed in the database (through psycopg or through PostgREST).

    The class says what the failure means (:func:`rpc_error` chooses it by SQLSTATE);
    ``http_status`` is what PostgREST answers for the same SQLSTATE (its documented
    mapping, :func:`postgrest_status`).

    Generated type modules (``khepri-db gen types``) carry a copy of this class and its
    subclasses, so that they need no khepri-db: they raise their own copy.

    Attributes:
        function: the RPC's name, e.g. ``"finalize_onboarding"``.
        sqlstate: the SQLSTATE (or PostgREST's ``PGRST...`` code).
        http_status: PostgREST's HTTP status for it.
        detail: the DETAIL line, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        function: str,
        sqlstate: str | None,
        http_status: int,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.function = function
        self.sqlstate = sqlstate
        self.http_status = http_status
        self.detail = detail

    def to_dict(self) -> dict[str, Any]:
        """The base shape plus ``function``, ``sqlstate``, ``http_status`` and
        ``detail``."""
        data = super().to_dict()
        data.update(function=self.function, sqlstate=self.sqlstate)
        data.update(http_status=self.http_status, detail=self.detail)
        return data


class BadRequestError(RpcError):
    """Invalid input (22023, 23514, 22P02, P0001 ...): PostgREST answers 400."""


class UnauthorizedError(RpcError):
    """Not allowed and not signed in (42501 for anon): PostgREST answers 401."""


class ForbiddenError(RpcError):
    """Signed in but not allowed (42501, 28*, 0L*, 0P*): PostgREST answers 403."""


class NotFoundError(RpcError):
    """The object does not exist or is not visible (P0002; also 42883/42P01 for a
    missing RPC)."""


class ConflictError(RpcError):
    """Conflicts with the current state: a uniqueness or reference conflict (23505,
    23503: PostgREST 409) or an object in the wrong state (55000: PostgREST 500)."""


class ServiceUnavailableError(RpcError):
    """The database is unreachable or out of resources (08*, 53*): PostgREST answers
    503."""


class ServerError(RpcError):
    """Any other failure: PostgREST answers 500."""
