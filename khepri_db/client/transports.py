"""RPC transports: call a Postgres function the way PostgREST exposes it, over psycopg or supabase-py.

* :class:`PsycopgTransport`: server-side code holding a database connection. Each call runs as one
  PostgREST-equivalent request (:func:`khepri_db.core.request.request_context`) for the given user.
* :class:`SupabaseTransport`: a ``supabase.Client``; calls go through PostgREST
  (``POST /rest/v1/rpc/<name>``) with the client's session
  (:func:`khepri_db.client.calls.call_supabase`).

Errors from either transport become one :class:`khepri_db.core.errors.RpcError` subclass chosen by
SQLSTATE, carrying the HTTP status PostgREST uses for it (:func:`postgrest_status`, :func:`rpc_error`:
both live in :mod:`khepri_db.core.postgrest` and are re-exported here). The typed clients built on
these transports are the Khepri app's :class:`khepri_db.khepri.client.KhepriClient` and the generated
modules (``khepri-db gen types``), which also accept a :class:`PsycopgTransport` or a
:class:`SupabaseTransport`.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal, Protocol

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from khepri_db.client.calls import call_supabase
from khepri_db.core.postgrest import postgrest_status, rpc_error, rpc_error_from_psycopg
from khepri_db.core.request import AuthUser, api_key_claims, request_context, user_claims

if TYPE_CHECKING:
    from supabase import Client as SupabaseClient

__all__ = [
    "PsycopgTransport",
    "SupabaseTransport",
    "Transport",
    "named_call",
    "postgrest_status",
    "rpc_error",
    "rpc_error_from_psycopg",
]

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
    :func:`khepri_db.core.request.request_context`).
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

    def request(self, path: str) -> AbstractContextManager[psycopg.Connection]:
        """One PostgREST-equivalent request to ``path`` (e.g. ``/rpc/my_function``) as this transport's
        role and claims: :func:`khepri_db.core.request.request_context`, which also checks that the
        role switch took away the connecting role's powers. Generated modules call through it."""
        return request_context(self.conn, self.role, self.claims, path=path)

    def call(self, function: str, args: Mapping[str, Any]) -> Any:
        """See :class:`Transport`. Raises the :class:`RpcError` subclass for any database error."""
        query, params = named_call(function, args)
        try:
            with self.request(f"/rpc/{function}"):
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

    def call(self, function: str, args: Mapping[str, Any]) -> Any:
        """See :class:`Transport`. PostgREST errors and transport failures become :class:`RpcError`
        (:func:`khepri_db.client.calls.call_supabase`)."""
        return call_supabase(self.client, "public", function, args)
