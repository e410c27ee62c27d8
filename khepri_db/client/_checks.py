"""A domain's or column's simple ``CHECK`` constraints as pydantic ``Field`` arguments (bounds,
lengths, patterns) or ``Literal`` values, for ``khepri-db gen types``; any other CHECK is left to
the database (the generated module says so in a comment)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from khepri_db.client._source import string_literal
from khepri_db.core.sqltext import Token, significant_tokens

_CHECK_COMPARE = re.compile(
    r"^\(?\(?VALUE\)?(?:::[\w ]+)?\s*(>=|>|<=|<)\s*\(?'?(-?\d+(?:\.\d+)?)'?\)?(?:::[\w ]+)?\)?$"
)
_CHECK_LENGTH = re.compile(
    r"^\(?(?:char_length|length|character_length)\(\(?VALUE\)?(?:::text)?\)\s*(>=|>|<=|<)\s*(\d+)\)?$"
)
_CHECK_REGEX = re.compile(r"^\(?\(?VALUE\)?(?:::text)?\s*(~\*?)\s*'((?:[^']|'')*)'(?:::text)?\)?$")
_CHECK_IN = re.compile(r"^\(?\(?VALUE\)?(?:::text)?\s*=\s*ANY\s*\(\(?ARRAY\[(.*)\]\)?(?:::text\[\])?\)\)?$")


def _closing(tokens: Sequence[Token], start: int) -> int:
    """Index of the ``)`` that closes the ``(`` at ``tokens[start]`` (-1 if none)."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].is_punct("("):
            depth += 1
        elif tokens[index].is_punct(")"):
            depth -= 1
            if depth == 0:
                return index
    return -1


def _strip_parens(text: str) -> str:
    """``text`` without the parentheses that enclose all of it (``((a))`` -> ``a``), read with the
    lexer's tokens (:func:`khepri_db.core.sqltext.significant_tokens`: quotes and comments respected)."""
    text = text.strip()
    while True:
        tokens = significant_tokens(text)
        if len(tokens) < 2 or not tokens[0].is_punct("(") or _closing(tokens, 0) != len(tokens) - 1:
            return text
        text = text[tokens[0].offset + 1 : tokens[-1].offset].strip()


def _split_and(text: str) -> list[str]:
    """Split ``a AND b AND c`` at the top level (outside parentheses, quotes and comments)."""
    text = _strip_parens(text)
    parts: list[str] = []
    depth = 0
    start = 0
    for token in significant_tokens(text):
        if token.is_punct("("):
            depth += 1
        elif token.is_punct(")"):
            depth -= 1
        elif depth == 0 and token.is_word("AND"):
            parts.append(text[start : token.offset])
            start = token.offset + len(token.value)
    parts.append(text[start:])
    return [part.strip() for part in parts]


@functools.lru_cache(maxsize=4096)
def check_constraints(definition: str, base: str) -> tuple[dict[str, str], list[str]] | None:
    """Translate a domain's ``CHECK (...)`` into pydantic ``Field`` arguments, or ``None`` when it is
    not simple (the database still enforces it). Returns (field kwargs, literal values): shared
    between calls with the same text (a schema repeats its CHECKs table after table), never to be
    changed by the caller."""
    body = definition.removeprefix("CHECK ").strip()
    body = _strip_parens(body)
    parts = [_strip_parens(p) for p in _split_and(body)]
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
