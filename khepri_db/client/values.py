"""The value types and base models of generated type modules (``khepri-db gen types --lang python``).

The base models (:class:`Row`, :class:`Insert`, :class:`Update`, :class:`Composite`), the
defaults :data:`DEFAULT` and :data:`OMIT`, and the value types PostgREST and psycopg disagree
on (json numbers, bytea, interval, timetz, ranges). The mapping follows what PostgREST returns
(its JSON rendering of each type, Postgres' own ``to_json``) and what psycopg 3 loads, so one
model validates both. See ``docs/gen-types.md``.

Part of the runtime every generated module carries a copy of (:mod:`khepri_db.client._embed`
writes it; :mod:`khepri_db.client.runtime` lists the rules it keeps): at import time only the
standard library and pydantic; no import from khepri-db; no ``__future__`` import beyond
annotations; code within 88 columns, formatted so that ``ruff format`` leaves it alone at 88
and at 120.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    JsonValue,
    PlainSerializer,
    model_serializer,
    model_validator,
)

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
