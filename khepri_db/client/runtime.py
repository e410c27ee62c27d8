"""The runtime of generated type modules (``khepri-db gen types --lang python``).

The base models (:class:`Row`, :class:`Insert`, :class:`Update`, :class:`Composite`), the
value types PostgREST and psycopg disagree on (bytea, interval, timetz, ranges), and
:func:`rpc`, the decorator behind every generated RPC function, which calls the function
through psycopg (as the connection's role, or as one PostgREST request for a JWT's claims:
:class:`PsycopgCaller`) or through supabase-py, and raises the
:class:`~khepri_db.core.errors.RpcError` subclass for the SQLSTATE
(:func:`khepri_db.core.postgrest.rpc_error`).

Every generated module carries a copy of this module's code, with the RPC errors of
:mod:`khepri_db.core.errors` and all of :mod:`khepri_db.core.postgrest`, in its runtime
section (:mod:`khepri_db.client._embed` writes it), so that an app needs no khepri-db.
Hence the rules of this module: at import time only the standard library and pydantic
(psycopg, httpx and supabase-py's postgrest are imported inside the functions that call
through them); from khepri-db only names the runtime section also carries (those imports
are left out of the copy); no ``__future__`` import beyond annotations; code (this
docstring is not copied) within 88 columns, formatted so that ``ruff format`` leaves it alone
at 88 and at 120.

Modules generated before the runtime was embedded import this module
(``from khepri_db.client import runtime as _rt``); its names stay for them.

The mapping follows what PostgREST returns (its JSON rendering of each type, Postgres' own
``to_json``) and what psycopg 3 loads, so one model validates both. See
``docs/gen-types.md``.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import functools
import inspect
import json
import re
import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Generic,
    Literal,
    Protocol,
    TypeVar,
    get_type_hints,
)

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    IPvAnyInterface,
    IPvAnyNetwork,
    JsonValue,
    PlainSerializer,
    TypeAdapter,
    model_serializer,
    model_validator,
)

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

__all__ = [
    "DEFAULT",
    "OMIT",
    "Bytea",
    "Client",
    "Composite",
    "Field",
    "IPvAnyInterface",
    "IPvAnyNetwork",
    "Insert",
    "Interval",
    "Json",
    "PsycopgCaller",
    "Range",
    "Row",
    "RpcSpec",
    "Text",
    "TimeTz",
    "Update",
    "call_supabase",
    "rpc",
]

DEFAULT: Any = None
"""Default of a model field whose column has a database default (or is nullable): left
unset, the field is omitted from :meth:`Insert.payload` / :meth:`Update.payload`, so the
database decides. Typed ``Any`` so ``id: UUID = DEFAULT`` type-checks; its value is
``None``."""


class _Omitted:
    """The type of :data:`OMIT`."""

    _instance: _Omitted | None = None

    def __new__(cls) -> _Omitted:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMIT"

    def __bool__(self) -> bool:
        return False


OMIT: Any = _Omitted()
"""Default of a generated RPC argument that has a SQL default: left as ``OMIT`` the
argument is not sent, so the function's own default applies (as when a PostgREST request
leaves it out); ``None`` sends SQL NULL."""


def _pydantic_by_name() -> ConfigDict:
    # pydantic 2.11 split populate_by_name into validate_by_name/validate_by_alias.
    if "validate_by_name" in ConfigDict.__annotations__:
        return ConfigDict(validate_by_name=True, validate_by_alias=True)  # type: ignore[typeddict-unknown-key]
    return ConfigDict(populate_by_name=True)


def _numbers_for_json(value: Any) -> Any:
    """``Decimal`` -> ``int``/``float`` inside a JSON value (psycopg's lossless decoding
    of numbers)."""
    if isinstance(value, _decimal.Decimal):
        integral = value == value.to_integral_value() and "." not in str(value)
        return int(value) if integral else float(value)
    if isinstance(value, dict):
        return {k: _numbers_for_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_for_json(v) for v in value]
    return value


Json = Annotated[JsonValue, BeforeValidator(_numbers_for_json)]
"""A ``json``/``jsonb`` value as PostgREST and psycopg return it: already parsed (dict,
list, str, number, bool or None), never a JSON string."""


def _bytea_in(value: Any) -> Any:
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, str) and value.startswith("\\x"):
        return bytes.fromhex(value[2:])
    return value


def _bytea_out(value: bytes) -> str:
    return "\\x" + value.hex()


Bytea = Annotated[
    bytes,
    BeforeValidator(_bytea_in),
    PlainSerializer(_bytea_out, return_type=str, when_used="json"),
]
"""``bytea``: ``bytes``; accepts PostgREST's hex text (``"\\\\x0102"``) and sends it
back that way."""

_INTERVAL = re.compile(
    r"^\s*(?:(?P<years>[+-]?\d+) years? ?)?(?:(?P<months>[+-]?\d+) mons? ?)?"
    r"(?:(?P<days>[+-]?\d+) days? ?)?"
    r"(?:(?P<sign>[+-])?(?P<hours>\d+):(?P<minutes>\d\d):(?P<seconds>\d\d(?:\.\d+)?))?"
    r"\s*$"
)


def _interval_in(value: Any) -> Any:
    """Parse Postgres' default interval output (``IntervalStyle = postgres``), e.g.
    ``1 day 02:00:00``.

    Months count 30 days and years 365, as psycopg does; other text (ISO 8601) is left
    to pydantic.
    """
    if not isinstance(value, str):
        return value
    match = _INTERVAL.match(value)
    if not match or not any(match.groupdict().values()):
        return value
    parts = {k: v for k, v in match.groupdict().items() if v is not None}
    years, months = int(parts.get("years", 0)), int(parts.get("months", 0))
    days = years * 365 + months * 30 + int(parts.get("days", 0))
    clock = _dt.timedelta(
        hours=int(parts.get("hours", 0)),
        minutes=int(parts.get("minutes", 0)),
        seconds=float(parts.get("seconds", 0)),
    )
    return _dt.timedelta(days=days) + (-clock if parts.get("sign") == "-" else clock)


def _interval_out(value: _dt.timedelta) -> str:
    seconds = value.total_seconds()
    return f"{seconds} seconds"


Interval = Annotated[
    _dt.timedelta,
    BeforeValidator(_interval_in),
    PlainSerializer(_interval_out, return_type=str, when_used="json"),
]
"""``interval``: ``datetime.timedelta`` (a month is 30 days, a year 365, as in
psycopg)."""

_SHORT_OFFSET = re.compile(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?[+-]\d\d)$")


def _timetz_in(value: Any) -> Any:
    return _SHORT_OFFSET.sub(r"\1:00", value) if isinstance(value, str) else value


TimeTz = Annotated[_dt.time, BeforeValidator(_timetz_in)]
"""``time with time zone``: ``datetime.time`` with ``tzinfo``; accepts Postgres'
``10:00:00+02``."""


def _text_in(value: Any) -> Any:
    return value if isinstance(value, str) or value is None else str(value)


Text = Annotated[str, BeforeValidator(_text_in)]
"""A type khepri-db has no richer mapping for (geometric types, ``money``, ``tsvector``,
multiranges, extension types): its text form, as PostgREST returns it."""

_T = TypeVar("_T")

_RANGE = re.compile(
    r"""
    ([\[(])                          # the lower bound's bracket
    ((?:"(?:[^"\\]|\\.)*"|[^,])*)     # the lower bound: quoted, or up to the comma
    ,
    ((?:"(?:[^"\\]|\\.)*"|[^\])])*)  # the upper bound
    ([\])])                          # the upper bound's bracket
    """,
    re.VERBOSE,
)


def _range_bound(text: str) -> str | None:
    if text == "":
        return None
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return _SHORT_OFFSET.sub(r"\1:00", text)


def _range_literal(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat(sep=" ") if isinstance(value, _dt.datetime) else str(value)
    return f'"{text}"' if re.search(r'[\s,()\[\]"\\]', text) else text


class Range(BaseModel, Generic[_T]):
    """A range value (``int4range``, ``daterange``, ``tstzrange``...): bounds and their
    inclusivity.

    Accepts psycopg's :class:`psycopg.types.range.Range` and PostgREST's text form
    (``"[1,10)"``, ``"empty"``); sent back as that text form, which both PostgREST and
    Postgres parse.

    Attributes:
        lower: the lower bound, ``None`` when unbounded.
        upper: the upper bound, ``None`` when unbounded.
        bounds: ``"[)"``, ``"[]"``, ``"()"`` or ``"(]"``.
        empty: the empty range.
    """

    model_config = ConfigDict(frozen=True)

    lower: _T | None = None
    upper: _T | None = None
    bounds: Literal["[)", "[]", "()", "(]"] = "[)"
    empty: bool = False

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.lower() == "empty":
                return {"empty": True}
            match = _RANGE.fullmatch(text)
            if not match:
                raise ValueError(f"not a range literal: {value!r}")
            return {
                "lower": _range_bound(match[2]),
                "upper": _range_bound(match[3]),
                "bounds": match[1] + match[4],
            }
        if hasattr(value, "isempty") and hasattr(value, "bounds"):  # psycopg's Range
            if value.isempty:
                return {"empty": True}
            return {"lower": value.lower, "upper": value.upper, "bounds": value.bounds}
        return value

    @model_serializer(mode="wrap")
    def _serialize(self, handler: Any, info: Any) -> Any:
        if not info.mode_is_json():
            return handler(self)
        if self.empty:
            return "empty"
        lower, upper = _range_literal(self.lower), _range_literal(self.upper)
        return f"{self.bounds[0]}{lower},{upper}{self.bounds[1]}"


class Row(BaseModel):
    """Base of generated ``<Name>Row`` models: a row as PostgREST (or ``select *``)
    returns it.

    Unknown columns are ignored, so a column added later does not break old code
    (``--check`` reports it). Fields use Python names; the column name is the alias
    where they differ.
    """

    model_config = ConfigDict(
        extra="ignore",
        regex_engine="python-re",
        **_pydantic_by_name(),
    )


class _Write(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        regex_engine="python-re",
        **_pydantic_by_name(),
    )

    def payload(self) -> dict[str, Any]:
        """The JSON body for PostgREST (``client.table(...).insert(...)`` or
        ``.update(...)``) or ``jsonb_populate_record``: only the fields that were set,
        under their column names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class Insert(_Write):
    """Base of generated ``<Name>Insert`` models: the columns an insert may set.

    Generated and ``GENERATED ALWAYS`` identity columns are absent; columns with a
    default (or nullable) are optional and, left unset, are omitted from
    :meth:`payload`.
    """


class Update(_Write):
    """Base of generated ``<Name>Update`` models: every writable column, all
    optional."""


class Composite(BaseModel):
    """Base of generated composite-type models. Accepts a JSON object, or a tuple in
    attribute order (psycopg's loader after
    ``psycopg.types.composite.register_composite``)."""

    model_config = ConfigDict(
        extra="ignore",
        regex_engine="python-re",
        **_pydantic_by_name(),
    )

    @model_validator(mode="before")
    @classmethod
    def _from_tuple(cls, value: Any) -> Any:
        if isinstance(value, tuple):
            names = [f.alias or name for name, f in cls.model_fields.items()]
            return dict(zip(names, value, strict=False))
        return value


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
