"""A domain's or column's simple ``CHECK`` constraints as pydantic ``Field`` arguments (bounds,
lengths, patterns) or ``Literal`` values, for ``khepri-db gen types``; any other CHECK is left to
the database (the generated module says so in a comment)."""

from __future__ import annotations

import functools
import re

from khepri_db.client._source import string_literal
from khepri_db.core.sqltext import split_top_level, unwrapped

_CHECK_COMPARE = re.compile(
    r"^\(?\(?VALUE\)?(?:::[\w ]+)?\s*(>=|>|<=|<)\s*\(?'?(-?\d+(?:\.\d+)?)'?\)?(?:::[\w ]+)?\)?$"
)
_CHECK_LENGTH = re.compile(
    r"^\(?(?:char_length|length|character_length)\(\(?VALUE\)?(?:::text)?\)\s*(>=|>|<=|<)\s*(\d+)\)?$"
)
_CHECK_REGEX = re.compile(r"^\(?\(?VALUE\)?(?:::text)?\s*(~\*?)\s*'((?:[^']|'')*)'(?:::text)?\)?$")
_CHECK_IN = re.compile(r"^\(?\(?VALUE\)?(?:::text)?\s*=\s*ANY\s*\(\(?ARRAY\[(.*)\]\)?(?:::text\[\])?\)\)?$")


@functools.lru_cache(maxsize=4096)
def check_constraints(definition: str, base: str) -> tuple[dict[str, str], list[str]] | None:
    """Translate a domain's ``CHECK (...)`` into pydantic ``Field`` arguments, or ``None`` when it is
    not simple (the database still enforces it). Returns (field kwargs, literal values): shared
    between calls with the same text (a schema repeats its CHECKs table after table), never to be
    changed by the caller."""
    body = definition.removeprefix("CHECK ").strip()
    body = unwrapped(body)
    parts = split_top_level(body, "and")
    kwargs: dict[str, str] = {}
    literals: list[str] = []
    numeric = base in ("int", "float", "_decimal.Decimal")
    for part in parts:
        if numeric and (m := _CHECK_COMPARE.match(part)):
            kwargs[{">": "gt", ">=": "ge", "<": "lt", "<=": "le"}[m[1]]] = m[2]
        elif base == "str" and (m := _CHECK_LENGTH.match(part)):
            limit = int(m[2])
            op = m[1]
            if op in ("<=", "<"):
                kwargs["max_length"] = str(limit if op == "<=" else limit - 1)
            else:
                kwargs["min_length"] = str(limit if op == ">=" else limit + 1)
        elif base == "str" and (m := _CHECK_REGEX.match(part)):
            pattern = ("(?i)" if m[1] == "~*" else "") + m[2].replace("''", "'")
            if re.search(r"\[\[:|\\[mMyY]", pattern):
                return None
            try:
                re.compile(pattern)
            except re.error:
                return None
            kwargs["pattern"] = string_literal(pattern)
        elif base == "str" and (m := _CHECK_IN.match(part)):
            values = re.findall(r"'((?:[^']|'')*)'(?:::[\w ]+)?", m[1])
            if not values:
                return None
            literals = [v.replace("''", "'") for v in values]
        else:
            return None
    return kwargs, literals
