"""The runtime of generated type modules (``khepri-db gen types --lang python``).

Every generated module imports it as ``from khepri_db.client import runtime as _rt``: the base
models (:class:`Row`, :class:`Insert`, :class:`Update`, :class:`Composite`), the value types
PostgREST and psycopg disagree on (bytea, interval, timetz, ranges), and :func:`rpc`, the decorator
behind every generated RPC function, which calls the function through psycopg (as PostgREST would,
optionally as a user) or through supabase-py, and raises the :class:`khepri_db.core.errors.RpcError`
subclass for the SQLSTATE (:func:`khepri_db.client.transports.rpc_error`).

The mapping follows what PostgREST returns (its JSON rendering of each type, Postgres' own
``to_json``) and what psycopg 3 loads, so one model validates both. See ``docs/gen-types.md``.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import functools
import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

import psycopg
from psycopg import sql
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

from khepri_db.core import errors

if TYPE_CHECKING:
    from typing import TypeAlias

    from khepri_db.client.transports import PsycopgTransport, SupabaseTransport
    from supabase import Client as SupabaseClient

__all__ = [
    "DEFAULT",
    "OMIT",
    "Bytea",
    "Composite",
    "Field",
    "IPvAnyInterface",
    "IPvAnyNetwork",
    "Insert",
    "Interval",
    "Json",
    "Range",
    "Row",
    "Text",
    "TimeTz",
    "Update",
    "rpc",
]

# =============================================================================================
# Runtime: what generated modules import
# =============================================================================================

DEFAULT: Any = None
"""Default of a model field whose column has a database default (or is nullable): left unset, the
field is omitted from :meth:`Insert.payload` / :meth:`Update.payload`, so the database decides.
Typed ``Any`` so ``id: UUID = DEFAULT`` type-checks; its value is ``None``."""


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
"""Default of a generated RPC argument that has a SQL default: left as ``OMIT`` the argument is
not sent, so the function's own default applies (as when a PostgREST request leaves it out);
``None`` sends SQL NULL."""


def _pydantic_by_name() -> ConfigDict:
    # pydantic 2.11 split populate_by_name into validate_by_name/validate_by_alias.
    if "validate_by_name" in ConfigDict.__annotations__:
        return ConfigDict(validate_by_name=True, validate_by_alias=True)  # type: ignore[typeddict-unknown-key]
    return ConfigDict(populate_by_name=True)


def _numbers_for_json(value: Any) -> Any:
    """``Decimal`` -> ``int``/``float`` inside a JSON value (psycopg's lossless decoding of numbers)."""
    if isinstance(value, _decimal.Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, dict):
        return {k: _numbers_for_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_for_json(v) for v in value]
    return value


Json = Annotated[JsonValue, BeforeValidator(_numbers_for_json)]
"""A ``json``/``jsonb`` value as PostgREST and psycopg return it: already parsed (dict, list, str,
number, bool or None), never a JSON string."""


def _bytea_in(value: Any) -> Any:
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, str) and value.startswith("\\x"):
        return bytes.fromhex(value[2:])
    return value


Bytea = Annotated[
    bytes,
    BeforeValidator(_bytea_in),
    PlainSerializer(lambda b: "\\x" + b.hex(), return_type=str, when_used="json"),
]
"""``bytea``: ``bytes``; accepts PostgREST's hex text (``"\\\\x0102"``) and sends it back that way."""

_INTERVAL = re.compile(
    r"^\s*(?:(?P<years>[+-]?\d+) years? ?)?(?:(?P<months>[+-]?\d+) mons? ?)?(?:(?P<days>[+-]?\d+) days? ?)?"
    r"(?:(?P<sign>[+-])?(?P<hours>\d+):(?P<minutes>\d\d):(?P<seconds>\d\d(?:\.\d+)?))?\s*$"
)


def _interval_in(value: Any) -> Any:
    """Parse Postgres' default interval output (``IntervalStyle = postgres``), e.g. ``1 day 02:00:00``.

    Months count 30 days and years 365, as psycopg does; other text (ISO 8601) is left to pydantic.
    """
    if not isinstance(value, str):
        return value
    match = _INTERVAL.match(value)
    if not match or not any(match.groupdict().values()):
        return value
    parts = {k: v for k, v in match.groupdict().items() if v is not None}
    days = int(parts.get("years", 0)) * 365 + int(parts.get("months", 0)) * 30 + int(parts.get("days", 0))
    clock = _dt.timedelta(
        hours=int(parts.get("hours", 0)), minutes=int(parts.get("minutes", 0)), seconds=float(parts.get("seconds", 0))
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
"""``interval``: ``datetime.timedelta`` (a month is 30 days, a year 365, as in psycopg)."""

_SHORT_OFFSET = re.compile(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?[+-]\d\d)$")


def _timetz_in(value: Any) -> Any:
    return _SHORT_OFFSET.sub(r"\1:00", value) if isinstance(value, str) else value


TimeTz = Annotated[_dt.time, BeforeValidator(_timetz_in)]
"""``time with time zone``: ``datetime.time`` with ``tzinfo``; accepts Postgres' ``10:00:00+02``."""


def _text_in(value: Any) -> Any:
    return value if isinstance(value, str) or value is None else str(value)


Text = Annotated[str, BeforeValidator(_text_in)]
"""A type khepri-db has no richer mapping for (geometric types, ``money``, ``tsvector``,
multiranges, extension types): its text form, as PostgREST returns it."""

T = TypeVar("T")


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


class Range(BaseModel, Generic[T]):
    """A range value (``int4range``, ``daterange``, ``tstzrange``...): bounds and their inclusivity.

    Accepts psycopg's :class:`psycopg.types.range.Range` and PostgREST's text form (``"[1,10)"``,
    ``"empty"``); sent back as that text form, which both PostgREST and Postgres parse.

    Attributes:
        lower: the lower bound, ``None`` when unbounded.
        upper: the upper bound, ``None`` when unbounded.
        bounds: ``"[)"``, ``"[]"``, ``"()"`` or ``"(]"``.
        empty: the empty range.
    """

    model_config = ConfigDict(frozen=True)

    lower: T | None = None
    upper: T | None = None
    bounds: Literal["[)", "[]", "()", "(]"] = "[)"
    empty: bool = False

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.lower() == "empty":
                return {"empty": True}
            match = re.fullmatch(r'([\[(])((?:"(?:[^"\\]|\\.)*"|[^,])*),((?:"(?:[^"\\]|\\.)*"|[^\])])*)([\])])', text)
            if not match:
                raise ValueError(f"not a range literal: {value!r}")
            return {"lower": _range_bound(match[2]), "upper": _range_bound(match[3]),
                    "bounds": match[1] + match[4]}  # fmt: skip
        if hasattr(value, "isempty") and hasattr(value, "bounds"):  # psycopg.types.range.Range
            if value.isempty:
                return {"empty": True}
            return {"lower": value.lower, "upper": value.upper, "bounds": value.bounds}
        return value

    @model_serializer(mode="wrap")
    def _serialize(self, handler: Any, info: Any) -> Any:
        if info.mode_is_json():
            if self.empty:
                return "empty"
            return f"{self.bounds[0]}{_range_literal(self.lower)},{_range_literal(self.upper)}{self.bounds[1]}"
        return handler(self)


class Row(BaseModel):
    """Base of generated ``<Name>Row`` models: a row as PostgREST (or ``select *``) returns it.

    Unknown columns are ignored, so a column added later does not break old code (``--check``
    reports it). Fields use Python names; the column name is the alias where they differ.
    """

    model_config = ConfigDict(extra="ignore", regex_engine="python-re", **_pydantic_by_name())


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re", **_pydantic_by_name())

    def payload(self) -> dict[str, Any]:
        """The JSON body for PostgREST (``client.table(...).insert(...)``/``.update(...)``) or
        ``jsonb_populate_record``: only the fields that were set, under their column names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class Insert(_Write):
    """Base of generated ``<Name>Insert`` models: the columns an insert may set.

    Generated and ``GENERATED ALWAYS`` identity columns are absent; columns with a default (or
    nullable) are optional and, left unset, are omitted from :meth:`payload`.
    """


class Update(_Write):
    """Base of generated ``<Name>Update`` models: every writable column, all optional."""


class Composite(BaseModel):
    """Base of generated composite-type models. Accepts a JSON object, or a tuple in attribute
    order (psycopg's loader after ``psycopg.types.composite.register_composite``)."""

    model_config = ConfigDict(extra="ignore", regex_engine="python-re", **_pydantic_by_name())

    @model_validator(mode="before")
    @classmethod
    def _from_tuple(cls, value: Any) -> Any:
        if isinstance(value, tuple):
            names = [f.alias or name for name, f in cls.model_fields.items()]
            return dict(zip(names, value, strict=False))
        return value


if TYPE_CHECKING:
    Client: TypeAlias = psycopg.Connection[Any] | PsycopgTransport | SupabaseTransport | SupabaseClient
else:
    Client = Any
"""What a generated RPC function calls through.

* a ``psycopg.Connection``: runs as the connection's own role (server-side code);
* :class:`khepri_db.client.transports.PsycopgTransport` ``(conn, user)``: as that user (or ``role="anon"`` /
  ``"service_role"``), as one PostgREST-equivalent request (:func:`khepri_db.policy.session.request_context`);
* a ``supabase.Client`` or :class:`khepri_db.client.transports.SupabaseTransport`: ``POST /rest/v1/rpc/<name>``
  through PostgREST with the client's session.
"""


@dataclass(frozen=True)
class RpcSpec:
    """What :func:`rpc` knows about one SQL function.

    Attributes:
        schema: its schema.
        name: its name.
        args: SQL argument name -> SQL type (``format_type``), in declaration order.
        returns: ``"void"``, ``"scalar"`` (one value) or ``"row"`` (a composite or ``returns table``).
        returns_set: ``setof`` / ``returns table``: the result is a list.
        variadic: the name of the ``variadic`` argument, if any.
    """

    schema: str
    name: str
    args: Mapping[str, str]
    returns: Literal["void", "scalar", "row"]
    returns_set: bool = False
    variadic: str | None = None


class _SchemaClient:
    """A ``supabase.Client`` seen through ``client.schema(s)`` for :class:`SupabaseTransport`."""

    def __init__(self, client: Any, schema: str) -> None:
        self._client = client
        self._schema = schema
        self.postgrest = client.postgrest
        self.supabase_key = client.supabase_key

    def rpc(self, fn: str, params: dict[str, Any]) -> Any:
        return self._client.schema(self._schema).rpc(fn, params)


def _psycopg_query(spec: RpcSpec, payload: Mapping[str, Any]) -> tuple[sql.Composed, list[Any]]:
    """The query PostgREST would run: named arguments read from the JSON body by ``json_to_record``."""
    function = sql.Identifier(spec.schema, spec.name)
    named = [
        sql.SQL("{}{} => _args.{}").format(
            sql.SQL("variadic " if name == spec.variadic else ""), sql.Identifier(name), sql.Identifier(name)
        )
        for name in payload
    ]
    call = sql.SQL("{}({})").format(function, sql.SQL(", ").join(named))
    params: list[Any] = []
    source = sql.SQL("")
    if payload:
        columns = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(spec.args[n])) for n in payload)
        source = sql.SQL(" from json_to_record(%s::json) as _args ({})").format(columns)
        params.append(json.dumps(payload))
    if spec.returns == "void":
        return sql.SQL("select {}{}").format(call, source), params
    if spec.returns == "scalar" and not spec.returns_set:
        return sql.SQL("select to_json({})::text{}").format(call, source), params
    joined = sql.SQL("{}, lateral {} as _r").format(source, call) if payload else sql.SQL(" from {} as _r").format(call)
    if spec.returns_set:
        return sql.SQL("select coalesce(json_agg(_r), '[]')::text{}").format(joined), params
    return sql.SQL("select to_json(_r)::text{}").format(joined), params


def _call_psycopg(conn: psycopg.Connection, spec: RpcSpec, payload: Mapping[str, Any], transport: Any) -> Any:
    from khepri_db.client.transports import rpc_error_from_psycopg
    from khepri_db.policy.session import request_context

    query, params = _psycopg_query(spec, payload)
    try:
        if transport is not None:
            context = request_context(conn, transport.role, transport.claims, path=f"/rpc/{spec.name}")
        else:
            context = conn.transaction()
        with context:
            row = conn.execute(query, params).fetchone()
    except psycopg.Error as exc:
        anonymous = transport is not None and transport.role == "anon"
        raise rpc_error_from_psycopg(spec.name, exc, anonymous=anonymous) from exc
    if spec.returns == "void" or row is None or row[0] is None:
        return None
    return json.loads(row[0], parse_float=_decimal.Decimal)


def _dispatch(client: Any, spec: RpcSpec, payload: Mapping[str, Any]) -> Any:
    from khepri_db.client.transports import PsycopgTransport, SupabaseTransport

    if isinstance(client, psycopg.Connection):
        return _call_psycopg(client, spec, payload, None)
    if isinstance(client, PsycopgTransport):
        return _call_psycopg(client.conn, spec, payload, client)
    supabase_client = client.client if isinstance(client, SupabaseTransport) else client
    if not hasattr(supabase_client, "rpc") or not hasattr(supabase_client, "postgrest"):
        raise errors.UsageError(
            f"{spec.name}: cannot call through {type(client).__name__}",
            hint="pass a psycopg connection, a khepri_db.client.transports.PsycopgTransport or a supabase.Client",
        )
    target = supabase_client if spec.schema == "public" else _SchemaClient(supabase_client, spec.schema)
    return SupabaseTransport(target).call(spec.name, payload)


P = TypeVar("P", bound=Callable[..., Any])


def rpc(
    schema: str,
    name: str,
    args: Mapping[str, str],
    *,
    returns: Literal["void", "scalar", "row"] = "scalar",
    returns_set: bool = False,
    variadic: str | None = None,
) -> Callable[[P], P]:
    """Turn a generated stub ``def f(client, a, b=OMIT) -> R: ...`` into a typed call of ``schema.name``.

    The parameters after ``client`` map, in order, onto ``args`` (SQL name -> SQL type). Each value
    is validated against its annotation (so domain checks run before the call) and sent as JSON;
    ``OMIT`` values are left out, so their SQL defaults apply. The result is validated against
    the return annotation.

    Raises (from the decorated function):
        khepri_db.core.errors.RpcError: the database refused the call; the subclass follows the
            SQLSTATE as :func:`khepri_db.client.transports.rpc_error` maps it (e.g. ``BadRequestError`` for 22023,
            ``ForbiddenError`` for 42501 as a user).
        pydantic.ValidationError: an argument or the result does not fit its type.
    """
    spec = RpcSpec(schema, name, dict(args), returns, returns_set, variadic)

    def decorate(func: P) -> P:
        signature = inspect.signature(func)
        params = list(signature.parameters)[1:]
        if len(params) != len(spec.args):
            raise TypeError(f"{func.__name__}: {len(params)} parameters for {len(spec.args)} SQL arguments")

        @functools.cache
        def adapters() -> tuple[dict[str, TypeAdapter[Any]], TypeAdapter[Any] | None]:
            hints = func.__annotations__
            scope = func.__globals__
            by_param = {p: TypeAdapter(_resolve(hints[p], scope)) for p in params}
            result = None if spec.returns == "void" else TypeAdapter(_resolve(hints["return"], scope))
            return by_param, result

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
                payload[sql_name] = adapter.dump_python(adapter.validate_python(value), mode="json", by_alias=True)
            data = _dispatch(client, spec, payload)
            return None if result is None else result.validate_python(data)

        call.__khepri_rpc__ = spec  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate


def _resolve(annotation: Any, scope: dict[str, Any]) -> Any:
    return eval(annotation, scope) if isinstance(annotation, str) else annotation  # noqa: S307 (generated code)
