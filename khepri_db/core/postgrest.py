"""How PostgREST runs a request and answers a failure, for code that calls the database itself.

* :func:`request_settings` and :func:`postgrest_request`: the transaction-local settings one
  PostgREST request makes (``role``, ``request.jwt.claims``, ``search_path``...), applied on a
  psycopg connection;
* :func:`postgrest_status`: the HTTP status PostgREST answers for a SQLSTATE;
* :func:`rpc_error`: the :class:`~khepri_db.core.errors.RpcError` subclass for a failed call.

Standard library only (psycopg only through the connection it is given), because generated
type modules carry a copy of this module: ``khepri-db gen types`` writes it, with the RPC
error classes of :mod:`khepri_db.core.errors` and the runtime of :mod:`khepri_db.client.runtime`, into the
runtime section of every module it generates (:mod:`khepri_db.client._embed`). For the same
reason its code (not this docstring, which is not copied) stays within 88 columns, the width of
``ruff format``'s default.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from khepri_db.core.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RpcError,
    ServerError,
    ServiceUnavailableError,
    UnauthorizedError,
)

if TYPE_CHECKING:
    import psycopg

DEFAULT_SEARCH_PATH = ("public", "extensions")
"""Supabase's ``db-schemas`` + ``db-extra-search-path``, as PostgREST puts them on the
search path."""

_EXACT_STATUS = {
    "23503": 409,
    "23505": 409,
    "25006": 405,
    "53400": 500,
    "P0001": 400,
    "42883": 404,
    "42P01": 404,
    "42P17": 500,
}
_PREFIX_STATUS = {
    "08": 503,
    "09": 500,
    "0L": 403,
    "0P": 403,
    "25": 500,
    "28": 403,
    "2D": 500,
    "38": 500,
    "39": 500,
    "3B": 500,
    "40": 500,
    "53": 503,
    "54": 500,
    "55": 500,
    "57": 500,
    "58": 500,
    "F0": 500,
    "HV": 500,
    "P0": 500,
    "XX": 500,
}
_ERROR_CLASSES: dict[int, type[RpcError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    503: ServiceUnavailableError,
}


def postgrest_status(sqlstate: str | None, *, anonymous: bool) -> int:
    """The HTTP status PostgREST answers for ``sqlstate`` (PostgREST 12 docs, "HTTP
    Status Codes").

    Args:
        sqlstate: a five-character SQLSTATE (or ``None``).
        anonymous: whether the request carried no user (42501 is then 401, else 403).

    Returns:
        e.g. 400 for 22023 (the default), 409 for 23505, 404 for 42883, 500 for P0002.
    """
    code = sqlstate or ""
    if code == "42501":
        return 401 if anonymous else 403
    if code in _EXACT_STATUS:
        return _EXACT_STATUS[code]
    return _PREFIX_STATUS.get(code[:2], 400)


def rpc_error(
    function: str,
    sqlstate: str | None,
    message: str,
    *,
    detail: str | None = None,
    hint: str | None = None,
    anonymous: bool = False,
) -> RpcError:
    """Build the :class:`RpcError` subclass for a failed call of ``function``.

    The class follows PostgREST's status for the SQLSTATE (:func:`postgrest_status`:
    400 :class:`BadRequestError`, 401 :class:`UnauthorizedError`, 403
    :class:`ForbiddenError`, 404 :class:`NotFoundError`, 409 :class:`ConflictError`, 503
    :class:`ServiceUnavailableError`, any other :class:`ServerError`), except that P0002
    (no_data_found, which the Khepri RPCs raise for "not found") is a
    :class:`NotFoundError` and 55000 (object_not_in_prerequisite_state) a
    :class:`ConflictError`, although PostgREST answers 500 for both (``http_status``
    still says 500).

    Args:
        function: the RPC's name, put first in the message.
        sqlstate: the SQLSTATE, or PostgREST's ``PGRST...`` code.
        message: the primary message.
        detail: the DETAIL line, if any.
        hint: the HINT line, if any.
        anonymous: the call carried no user (see :func:`postgrest_status`).

    Returns:
        The error, to be raised by the caller.
    """
    status = postgrest_status(sqlstate, anonymous=anonymous)
    cls = _ERROR_CLASSES.get(status, ServerError)
    if sqlstate == "P0002" or (sqlstate or "").startswith("PGRST2"):
        cls = NotFoundError
    elif sqlstate == "55000":
        cls = ConflictError
    return cls(
        f"{function}: {message}",
        function=function,
        sqlstate=sqlstate,
        http_status=status,
        detail=detail,
        hint=hint,
    )


def rpc_error_from_psycopg(
    function: str,
    exc: psycopg.Error,
    *,
    anonymous: bool = False,
) -> RpcError:
    """:func:`rpc_error` for a psycopg error: its SQLSTATE, primary message, detail and
    hint (``exc.diag``)."""
    diag = exc.diag
    return rpc_error(
        function,
        diag.sqlstate,
        diag.message_primary or str(exc),
        detail=diag.message_detail,
        hint=diag.message_hint,
        anonymous=anonymous,
    )


_ROLE_SETTINGS = """
    select s.config
    from pg_catalog.pg_db_role_setting as d
    cross join lateral unnest(d.setconfig) as s (config)
    where d.setrole = (select oid from pg_catalog.pg_roles where rolname = %s)
        and d.setdatabase in (
            0,
            (select oid from pg_catalog.pg_database where datname = current_database())
        )
    order by d.setdatabase
"""


def request_settings(
    conn: psycopg.Connection,
    role: str,
    claims: Mapping[str, Any],
    *,
    method: str = "POST",
    path: str = "/",
    headers: Mapping[str, str] | None = None,
    search_path: Sequence[str] = DEFAULT_SEARCH_PATH,
) -> list[tuple[str, str]]:
    """The settings one PostgREST request makes, transaction-local, in its order.

    PostgREST (v12, the version Supabase runs) switches to the JWT's role and sets
    ``request.jwt.claims`` (all claims as JSON), ``request.method``, ``request.path``,
    ``request.headers``, ``request.cookies`` and ``search_path`` (its exposed schemas
    plus the extra search path); the role's own settings (``alter role ... set``, e.g.
    ``statement_timeout``) then apply, as at a login as that role.

    Args:
        conn: a connection to read the role's settings with (``pg_db_role_setting``).
        role: the role to switch to (the JWT's ``role`` claim).
        claims: the JWT claims.
        method: ``request.method`` (the HTTP method).
        path: ``request.path``, e.g. ``/rpc/finalize_onboarding``.
        headers: ``request.headers`` (lower-case names, as PostgREST passes them).
        search_path: the schemas put on ``search_path``.

    Returns:
        ``[(name, value), ...]`` for ``set_config(name, value, true)``.
    """
    role_settings = conn.execute(_ROLE_SETTINGS, (role,)).fetchall()
    settings = [
        ("role", role),
        ("request.jwt.claims", json.dumps(dict(claims), separators=(",", ":"))),
        ("request.method", method),
        ("request.path", path),
        ("request.headers", json.dumps(dict(headers or {}))),
        ("request.cookies", "{}"),
        ("search_path", ", ".join(f'"{s}"' for s in search_path)),
    ]
    for (config,) in role_settings:
        name, _, value = config.partition("=")
        settings.append((name, value))
    return settings


@contextmanager
def postgrest_request(
    conn: psycopg.Connection,
    role: str,
    claims: Mapping[str, Any],
    *,
    method: str = "POST",
    path: str = "/",
    headers: Mapping[str, str] | None = None,
    search_path: Sequence[str] = DEFAULT_SEARCH_PATH,
) -> Iterator[psycopg.Connection]:
    """Run the block as one PostgREST request made with a JWT carrying ``claims``.

    On an idle connection the block is its own transaction, committed when it ends and
    rolled back when it raises, as PostgREST answers a request. Inside a transaction the
    caller opened, it is a savepoint, and the connection's role, claims and search path
    are restored after it. The settings are :func:`request_settings`. Unlike
    :func:`khepri_db.core.request.request_context` (for tests), it does not check that
    the switch took away the connecting role's powers.

    Args:
        conn: a psycopg connection whose role is a member of ``role``.
        role, claims, method, path, headers, search_path: see :func:`request_settings`.

    Yields:
        ``conn``, acting as the request's role.

    Raises:
        psycopg.Error: a setting was refused (e.g. ``conn``'s role may not switch to
            ``role``), or the block's own error.
    """
    from psycopg.pq import TransactionStatus

    nested = conn.info.transaction_status != TransactionStatus.IDLE
    with conn.transaction():
        settings = request_settings(
            conn,
            role,
            claims,
            method=method,
            path=path,
            headers=headers,
            search_path=search_path,
        )
        previous = conn.execute(
            "select current_setting('role'),"
            " coalesce(current_setting('request.jwt.claims', true), ''),"
            " current_setting('search_path')"
        ).fetchone()
        conn.execute(
            "select " + ", ".join("set_config(%s, %s, true)" for _ in settings),
            [part for pair in settings for part in pair],
        )
        yield conn
        if nested and previous is not None:
            conn.execute(
                "select set_config('role', %s, true),"
                " set_config('request.jwt.claims', %s, true),"
                " set_config('search_path', %s, true)",
                previous,
            )
