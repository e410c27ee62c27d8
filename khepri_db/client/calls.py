"""How a generated RPC function calls the database (``khepri-db gen types --lang python``).

:func:`rpc`, the decorator behind every generated RPC function, calls the function through
psycopg (as the connection's role, or as one PostgREST request for a JWT's claims:
:class:`PsycopgCaller`) or through supabase-py (:func:`call_supabase`), and raises the
:class:`~khepri_db.core.errors.RpcError` subclass for the SQLSTATE
(:func:`khepri_db.core.postgrest.rpc_error`).

Part of the runtime every generated module carries a copy of (:mod:`khepri_db.client._embed`
writes it, after :mod:`khepri_db.client.values`; :mod:`khepri_db.client.runtime` lists the rules
it keeps): at import time only the standard library and pydantic (psycopg, httpx and
supabase-py's postgrest are imported inside the functions that call through them); from
khepri-db only names the runtime section also carries.
"""

from __future__ import annotations

import decimal as _decimal
import functools
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, get_type_hints

from pydantic import TypeAdapter

from khepri_db.client.values import OMIT
from khepri_db.core.errors import ServiceUnavailableError
from khepri_db.core.postgrest import (
    DEFAULT_SEARCH_PATH,
    postgrest_request,
    rpc_error,
    rpc_error_from_psycopg,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    import psycopg


class PsycopgCaller:
    """Calls RPCs on a psycopg connection, each as one PostgREST request made with a JWT
    carrying ``claims``: ``role``, ``request.jwt.claims`` and ``search_path`` set as
    PostgREST sets them (:func:`postgrest_request`), so RLS and grants apply as they do
    for that JWT through the Data API.

    Args:
        conn: a psycopg connection whose role may switch to the request's role (on
            Supabase, ``postgres``; elsewhere a role granted ``anon``, ``authenticated``
            and ``service_role``).
        claims: the claims of the caller's JWT, verified by your app (e.g. the payload
            of a Supabase access token); ``None``: no JWT, PostgREST's anonymous role.
        role: the role to switch to; default the ``role`` claim, else ``anon``.
        search_path: the schemas put on ``search_path``: PostgREST's exposed schemas and
            extra search path (default ``public, extensions``, as on Supabase).

    On an idle connection each call is one transaction, committed on success; inside a
    transaction the caller opened, a savepoint, and the caller decides what is
    committed.
    """

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        claims: Mapping[str, Any] | None = None,
        *,
        role: str | None = None,
        search_path: tuple[str, ...] = DEFAULT_SEARCH_PATH,
    ) -> None:
        self.conn = conn
        self.role: str = role or (claims or {}).get("role") or "anon"
        self.claims = dict(claims) if claims is not None else {"role": self.role}
        self.search_path = search_path

    def request(self, path: str) -> AbstractContextManager[Any]:
        """One PostgREST request as this caller, for generated RPC functions and for
        your own queries: ``with caller.request("/todos"): conn.execute(...)``.

        Args:
            path: ``request.path``, e.g. ``/rpc/my_function``.

        Returns:
            A context manager yielding ``conn`` switched to the request's role and
            settings (:func:`postgrest_request`); it raises ``psycopg.Error`` when a
            setting is refused (``conn``'s role may not switch to ``role``).
        """
        return postgrest_request(
            self.conn,
            self.role,
            self.claims,
            path=path,
            search_path=self.search_path,
        )


class RequestCaller(Protocol):
    """What calls an RPC as one PostgREST request over psycopg: :class:`PsycopgCaller`,
    or khepri-db's ``PsycopgTransport`` (which acts as a user made in a test)."""

    conn: Any
    role: str

    def request(self, path: str) -> AbstractContextManager[Any]:
        """The context of one request to ``path``, on ``conn``."""
        ...


class SupabaseClient(Protocol):
    """A ``supabase.Client`` (what :func:`call_supabase` uses of it)."""

    @property
    def postgrest(self) -> Any:
        """Its PostgREST client (for the ``Authorization`` header)."""
        ...

    def rpc(self, fn: str, params: dict[str, Any]) -> Any:
        """Build the call of function ``fn``."""
        ...


class SupabaseHolder(Protocol):
    """khepri-db's ``SupabaseTransport``: a ``supabase.Client`` in its ``client``."""

    @property
    def client(self) -> SupabaseClient:
        """The ``supabase.Client``."""
        ...


if TYPE_CHECKING:
    _Callers: TypeAlias = RequestCaller | SupabaseClient | SupabaseHolder
    Client: TypeAlias = psycopg.Connection[Any] | _Callers
else:
    Client = Any
"""What a generated RPC function calls through.

* a ``psycopg.Connection``: runs as the connection's own role (server-side code);
* a :class:`PsycopgCaller` ``(conn, claims)``: as one PostgREST request for that JWT;
  khepri-db's ``PsycopgTransport(conn, user)`` works the same way;
* a ``supabase.Client`` (or khepri-db's ``SupabaseTransport``): ``POST
  /rest/v1/rpc/<name>`` through PostgREST with the client's session.
"""


@dataclass(frozen=True)
class RpcSpec:
    """What :func:`rpc` knows about one SQL function.

    Attributes:
        schema: its schema.
        name: its name.
        args: SQL argument name -> SQL type (``format_type``), in declaration order.
        returns: ``"void"``, ``"scalar"`` (one value) or ``"row"`` (a composite or
            ``returns table``).
        returns_set: ``setof`` / ``returns table``: the result is a list.
        variadic: the name of the ``variadic`` argument, if any.
    """

    schema: str
    name: str
    args: Mapping[str, str]
    returns: Literal["void", "scalar", "row"]
    returns_set: bool = False
    variadic: str | None = None


def _psycopg_query(spec: RpcSpec, payload: Mapping[str, Any]) -> tuple[Any, list[Any]]:
    """The query PostgREST would run: named arguments read from the JSON body by
    ``json_to_record``."""
    from psycopg import sql

    named = [
        sql.SQL("{}{} => _args.{}").format(
            sql.SQL("variadic " if name == spec.variadic else ""),
            sql.Identifier(name),
            sql.Identifier(name),
        )
        for name in payload
    ]
    call = sql.SQL("{}({})").format(
        sql.Identifier(spec.schema, spec.name),
        sql.SQL(", ").join(named),
    )
    params: list[Any] = []
    source = sql.SQL("")
    if payload:
        column = sql.SQL("{} {}")
        typed = [(sql.Identifier(n), sql.SQL(spec.args[n])) for n in payload]
        fields = sql.SQL(", ").join(column.format(n, t) for n, t in typed)
        source = sql.SQL(" from json_to_record(%s::json) as _args ({})").format(fields)
        params.append(json.dumps(payload))
    if spec.returns == "void":
        return sql.SQL("select {}{}").format(call, source), params
    if spec.returns == "scalar" and not spec.returns_set:
        return sql.SQL("select to_json({})::text{}").format(call, source), params
    joined = sql.SQL(" from {} as _r").format(call)
    if payload:
        joined = sql.SQL("{}, lateral {} as _r").format(source, call)
    if spec.returns_set:
        aggregate = sql.SQL("select coalesce(json_agg(_r), '[]')::text{}")
        return aggregate.format(joined), params
    return sql.SQL("select to_json(_r)::text{}").format(joined), params


def _call_psycopg(
    conn: psycopg.Connection[Any],
    spec: RpcSpec,
    payload: Mapping[str, Any],
    caller: RequestCaller | None,
) -> Any:
    import psycopg

    query, params = _psycopg_query(spec, payload)
    path = f"/rpc/{spec.name}"
    try:
        context = conn.transaction() if caller is None else caller.request(path)
        with context:
            row = conn.execute(query, params).fetchone()
    except psycopg.Error as exc:
        anonymous = caller is not None and caller.role == "anon"
        raise rpc_error_from_psycopg(spec.name, exc, anonymous=anonymous) from exc
    if spec.returns == "void" or row is None or row[0] is None:
        return None
    return json.loads(row[0], parse_float=_decimal.Decimal)


def call_supabase(
    client: SupabaseClient,
    schema: str,
    function: str,
    args: Mapping[str, Any],
) -> Any:
    """Call ``schema.function`` through PostgREST: ``POST /rest/v1/rpc/<function>``
    with the client's session (and ``Content-Profile: <schema>`` for a schema other than
    ``public``).

    Args:
        client: a ``supabase.Client``.
        schema: the function's schema (one PostgREST exposes).
        function: its name.
        args: argument name -> JSON-compatible value.

    Returns:
        The JSON result, parsed (numbers as supabase-py parses them: floats).

    Raises:
        RpcError: the subclass for the SQLSTATE PostgREST answered (:func:`rpc_error`);
            :class:`ServiceUnavailableError` when PostgREST cannot be reached.
    """
    import httpx
    from postgrest.exceptions import APIError

    target: Any = client
    if schema != "public":
        target = target.schema(schema)
    authorization = client.postgrest.headers.get("authorization")
    key = getattr(client, "supabase_key", None)
    try:
        response = target.rpc(function, dict(args)).execute()
    except APIError as exc:
        body = exc.json()
        details = body.get("details")
        if details is not None and not isinstance(details, str):
            details = str(details)
        raise rpc_error(
            function,
            body.get("code"),
            body.get("message") or "request failed",
            detail=details,
            hint=body.get("hint"),
            anonymous=authorization in (None, f"Bearer {key}"),
        ) from exc
    except httpx.HTTPError as exc:
        raise ServiceUnavailableError(
            f"{function}: cannot reach PostgREST: {exc}",
            function=function,
            sqlstate=None,
            http_status=503,
        ) from exc
    return response.data


def _dispatch(client: Any, spec: RpcSpec, payload: Mapping[str, Any]) -> Any:
    psycopg = sys.modules.get("psycopg")  # a psycopg connection means it is imported
    if psycopg is not None and isinstance(client, psycopg.Connection):
        return _call_psycopg(client, spec, payload, None)
    if hasattr(client, "conn") and hasattr(client, "request"):
        return _call_psycopg(client.conn, spec, payload, client)
    supabase = getattr(client, "client", client)  # khepri-db's SupabaseTransport
    if hasattr(supabase, "rpc") and hasattr(supabase, "postgrest"):
        return call_supabase(supabase, spec.schema, spec.name, payload)
    expected = "a psycopg connection, a PsycopgCaller or a supabase.Client"
    raise TypeError(f"{spec.name}: cannot call through {type(client)}: pass {expected}")


_F = TypeVar("_F", bound=Callable[..., Any])


def rpc(
    schema: str,
    name: str,
    args: Mapping[str, str],
    *,
    returns: Literal["void", "scalar", "row"] = "scalar",
    returns_set: bool = False,
    variadic: str | None = None,
) -> Callable[[_F], _F]:
    """Turn a generated stub ``def f(client, a, b=OMIT) -> R: ...`` into a typed call of
    ``schema.name``.

    The parameters after ``client`` (a :data:`Client`) map, in order, onto ``args`` (SQL
    name -> SQL type). Each value is validated against its annotation (so domain checks
    run before the call) and sent as JSON; ``OMIT`` values are left out, so their SQL
    defaults apply. The result is validated against the return annotation.

    Raises (from the decorated function):
        RpcError: the database refused the call; the subclass follows the SQLSTATE as
            :func:`rpc_error` maps it (e.g. ``BadRequestError`` for 22023,
            ``ForbiddenError`` for 42501 as a user).
        pydantic.ValidationError: an argument or the result does not fit its type.
        TypeError: ``client`` is none of the clients :data:`Client` lists.
    """
    spec = RpcSpec(schema, name, dict(args), returns, returns_set, variadic)

    def decorate(func: _F) -> _F:
        signature = inspect.signature(func)
        params = list(signature.parameters)[1:]
        if len(params) != len(spec.args):
            counts = f"{len(params)} parameters for {len(spec.args)} SQL arguments"
            raise TypeError(f"{func.__name__}: {counts}")

        @functools.cache
        def adapters() -> tuple[dict[str, TypeAdapter[Any]], TypeAdapter[Any] | None]:
            hints = get_type_hints(func, include_extras=True)
            by_param = {p: TypeAdapter(hints[p]) for p in params}
            if spec.returns == "void":
                return by_param, None
            return by_param, TypeAdapter(hints["return"])

        @functools.wraps(func)
        def call(client: Any, *a: Any, **kw: Any) -> Any:
            bound = signature.bind(client, *a, **kw)
            bound.apply_defaults()
            by_param, result = adapters()
            payload: dict[str, Any] = {}
            for param, sql_name in zip(params, spec.args, strict=True):
                value = bound.arguments[param]
                if value is OMIT:
                    continue
                adapter = by_param[param]
                checked = adapter.validate_python(value)
                dumped = adapter.dump_python(checked, mode="json", by_alias=True)
                payload[sql_name] = dumped
            data = _dispatch(client, spec, payload)
            return None if result is None else result.validate_python(data)

        call.__khepri_rpc__ = spec  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate
