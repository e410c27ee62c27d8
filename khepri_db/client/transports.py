"""RPC transports: call a Postgres function the way PostgREST exposes it, over psycopg or supabase-py.

* :class:`PsycopgTransport`: server-side code holding a database connection. Each call runs as one
  PostgREST-equivalent request (:func:`khepri_db.policy.session.request_context`) for the given user.
* :class:`SupabaseTransport`: a ``supabase.Client``; calls go through PostgREST
  (``POST /rest/v1/rpc/<name>``) with the client's session.

Errors from either transport become one :class:`khepri_db.core.errors.RpcError` subclass chosen by
SQLSTATE, carrying the HTTP status PostgREST uses for it (:func:`postgrest_status`). The typed
clients built on these transports are the generated modules (``khepri-db gen types``, runtime in
:mod:`khepri_db.client.runtime`) and the Khepri app's :class:`khepri_db.khepri.client.KhepriClient`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from khepri_db.core import errors
from khepri_db.policy.session import AuthUser, api_key_claims, request_context, user_claims

if TYPE_CHECKING:
    from supabase import Client as SupabaseClient

# -- errors ------------------------------------------------------------------------------------


def postgrest_status(sqlstate: str | None, *, anonymous: bool) -> int:
    """The HTTP status PostgREST answers for ``sqlstate`` (PostgREST 12 docs, "HTTP Status Codes").

    Args:
        sqlstate: a five-character SQLSTATE (or ``None``).
        anonymous: whether the request carried no user (42501 is then 401, else 403).

    Returns:
        e.g. 400 for 22023 (the default), 409 for 23505, 404 for 42883, 500 for P0002.
    """
    code = sqlstate or ""
    exact = {"23503": 409, "23505": 409, "25006": 405, "53400": 500, "P0001": 400, "42883": 404, "42P01": 404,
             "42P17": 500, "42501": 401 if anonymous else 403}  # fmt: skip
    if code in exact:
        return exact[code]
    prefixes = {"08": 503, "09": 500, "0L": 403, "0P": 403, "25": 500, "28": 403, "2D": 500, "38": 500, "39": 500,
                "3B": 500, "40": 500, "53": 503, "54": 500, "55": 500, "57": 500, "58": 500, "F0": 500, "HV": 500,
                "P0": 500, "XX": 500}  # fmt: skip
    return prefixes.get(code[:2], 400)


def rpc_error(
    function: str,
    sqlstate: str | None,
    message: str,
    *,
    detail: str | None = None,
    hint: str | None = None,
    anonymous: bool = False,
) -> errors.RpcError:
    """Build the :class:`~khepri_db.core.errors.RpcError` subclass for a failed call.

    The class follows PostgREST's status for the SQLSTATE, except that P0002 (no_data_found, which
    the Khepri RPCs raise for "not found") is a :class:`~khepri_db.core.errors.NotFoundError` and 55000
    (object_not_in_prerequisite_state) a :class:`~khepri_db.core.errors.ConflictError`, although
    PostgREST answers 500 for both (``http_status`` still says 500).
    """
    status = postgrest_status(sqlstate, anonymous=anonymous)
    if sqlstate == "P0002" or (sqlstate or "").startswith("PGRST2"):
        cls: type[errors.RpcError] = errors.NotFoundError
    elif sqlstate == "55000":
        cls = errors.ConflictError
    else:
        cls = {400: errors.BadRequestError, 401: errors.UnauthorizedError, 403: errors.ForbiddenError,
               404: errors.NotFoundError, 409: errors.ConflictError, 503: errors.ServiceUnavailableError,
               }.get(status, errors.ServerError)  # fmt: skip
    return cls(
        f"{function}: {message}", function=function, sqlstate=sqlstate, http_status=status, detail=detail, hint=hint
    )


def rpc_error_from_psycopg(function: str, exc: psycopg.Error, *, anonymous: bool = False) -> errors.RpcError:
    """:func:`rpc_error` for a psycopg error: its SQLSTATE, primary message, detail and hint."""
    diag = exc.diag
    return rpc_error(
        function,
        diag.sqlstate,
        diag.message_primary or str(exc),
        detail=diag.message_detail,
        hint=diag.message_hint,
        anonymous=anonymous,
    )


# -- transports --------------------------------------------------------------------------------


class Transport(Protocol):
    """How a call reaches the database: ``call(function, args)`` returns the JSON result."""

    def call(self, function: str, args: Mapping[str, Any]) -> Any:
        """Call ``public.<function>`` with named JSON-compatible ``args``; raise :class:`RpcError`."""
        ...


def named_call(function: str, args: Mapping[str, Any]) -> tuple[sql.Composed, dict[str, Any]]:
    """The query PostgREST runs for ``POST /rpc/<function>``: named arguments, JSON objects as jsonb.

    Args:
        function: a function in schema ``public``.
        args: argument name -> value; dicts and lists are sent as ``jsonb``.

    Returns:
        ``(query, params)`` for ``conn.execute``: ``select public.<function>(name => %(name)s, ...)``.
    """
    params = {k: Jsonb(v) if isinstance(v, dict | list) else v for k, v in args.items()}
    query = sql.SQL("select public.{}({})").format(
        sql.Identifier(function),
        sql.SQL(", ").join(sql.SQL("{} => {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in params),
    )
    return query, params


class PsycopgTransport:
    """Calls RPCs on a psycopg connection, each as one PostgREST-equivalent request.

    Args:
        conn: a non-autocommit connection whose role may switch to the API roles (the migrating
            role, or Supabase's ``postgres``).
        user: the signed-in user to act as; ``None`` acts with the key of ``role``.
        role: without a user, ``"anon"`` (default) or ``"service_role"``.
        claims: extra JWT claims for the user (e.g. ``{"aal": "aal2"}``).

    On an idle connection each call is one transaction, committed on success and rolled back on
    an error, like a PostgREST request. When the connection is already inside a transaction (one
    the caller opened, or an implicit one after an earlier ``execute``), the call is a savepoint
    in it and the caller's transaction decides what is committed (see
    :func:`khepri_db.policy.session.request_context`).
    """

    def __init__(
        self,
        conn: psycopg.Connection,
        user: AuthUser | None = None,
        *,
        role: Literal["anon", "service_role"] = "anon",
        claims: Mapping[str, Any] | None = None,
    ) -> None:
        self.conn = conn
        self.user = user
        self.role = "authenticated" if user else role
        self.claims = user_claims(user, extra=claims) if user else api_key_claims(role)

    def call(self, function: str, args: Mapping[str, Any]) -> Any:
        """See :class:`Transport`. Raises the :class:`RpcError` subclass for any database error."""
        query, params = named_call(function, args)
        try:
            with request_context(self.conn, self.role, self.claims, path=f"/rpc/{function}"):
                row = self.conn.execute(query, params).fetchone()
        except psycopg.Error as exc:
            raise rpc_error_from_psycopg(function, exc, anonymous=self.role == "anon") from exc
        return row[0] if row else None


class SupabaseTransport:
    """Calls RPCs through PostgREST with a ``supabase.Client`` (its current session and key).

    Args:
        client: from ``supabase.create_client(url, key)``; sign a user in with its auth API, or set a
            user's access token with ``client.postgrest.auth(token)``.
    """

    def __init__(self, client: SupabaseClient) -> None:
        self.client = client

    def _anonymous(self) -> bool:
        authorization = self.client.postgrest.headers.get("authorization")
        return authorization in (None, f"Bearer {self.client.supabase_key}")

    def call(self, function: str, args: Mapping[str, Any]) -> Any:
        """See :class:`Transport`. PostgREST errors and transport failures become :class:`RpcError`."""
        import httpx
        from postgrest.exceptions import APIError

        try:
            response = self.client.rpc(function, dict(args)).execute()
        except APIError as exc:
            body = exc.json()
            details = body.get("details")
            raise rpc_error(
                function,
                body.get("code"),
                body.get("message") or "request failed",
                detail=details if isinstance(details, str) or details is None else str(details),
                hint=body.get("hint"),
                anonymous=self._anonymous(),
            ) from exc
        except httpx.HTTPError as exc:
            raise errors.ServiceUnavailableError(
                f"{function}: cannot reach PostgREST: {exc}", function=function, sqlstate=None, http_status=503
            ) from exc
        return response.data
