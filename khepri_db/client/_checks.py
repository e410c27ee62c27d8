"""A domain's or column's simple ``CHECK`` constraints as pydantic ``Field`` arguments (bounds,
lengths, patterns) or ``Literal`` values, for ``khepri-db gen types``; any other CHECK is left to
the database (the generated module says so in a comment). The definition is read by
:func:`khepri_db.core.checks.read_check`; this module only translates the reading."""

from __future__ import annotations

import functools
import re

from khepri_db.client._source import string_literal
from khepri_db.core.checks import Conjunct, read_check

_BOUNDS = {">": "gt", ">=": "ge", "<": "lt", "<=": "le"}
_LENGTHS = frozenset({"char_length", "length", "character_length"})
_TEXT_CASTS = ((), ("text",), ("character varying",))
"""Casts of the subject that leave a string as it is (``(status)::text`` on a ``varchar`` column)."""


@functools.lru_cache(maxsize=4096)
def check_constraints(definition: str, base: str, subject: str = "VALUE") -> tuple[dict[str, str], list[str]] | None:
    """Translate a domain's or column's ``CHECK (...)`` (``pg_get_constraintdef`` text) into pydantic
    ``Field`` arguments, or ``None`` when it is not simple (the database still enforces it), is
    ``NOT VALID`` or ``NOT ENFORCED``.

    Args:
        definition: the constraint as ``pg_get_constraintdef`` prints it.
        base: the Python annotation of the checked type: ``"str"``, ``"int"``, ``"float"`` or
            ``"_decimal.Decimal"`` (anything else: ``None``).
        subject: the checked column's name, or ``"VALUE"`` for a domain's check.

    Returns:
        (field kwargs as Python source, e.g. ``{"ge": "0", "max_length": "40"}``; ``Literal`` values
        when the check is a membership, else empty), or ``None`` unless every ``AND`` conjunct is a
        bound of ``subject``: a comparison with a number (numeric bases), a length bound, a ``~`` /
        ``~*`` pattern Python's ``re`` reads the same way, or a list of strings (``str``). Shared
        between calls with the same arguments (a schema repeats its CHECKs table after table), never
        to be changed by the caller.
    """
    reading = read_check(definition)
    if not reading.enforced or "NOT VALID" in reading.flags:
        return None  # NOT VALID: rows already stored may break it, and the aliases validate rows read too
    kwargs: dict[str, str] = {}
    literals: list[str] = []
    numeric = base in ("int", "float", "_decimal.Decimal")
    for conjunct in reading.conjuncts:
        value = conjunct.value or ""
        if conjunct.subject != subject:
            return None
        if numeric and conjunct.kind == "comparison" and conjunct.op in _BOUNDS and _plain_casts(conjunct):
            kwargs[_BOUNDS[conjunct.op]] = value
        elif base != "str" or conjunct.casts not in _TEXT_CASTS:
            return None
        elif conjunct.kind == "length" and conjunct.function in _LENGTHS and value.isdigit():
            limit = int(value)
            if conjunct.op in ("<=", "<"):
                kwargs["max_length"] = str(limit if conjunct.op == "<=" else limit - 1)
            elif conjunct.op in (">=", ">"):
                kwargs["min_length"] = str(limit if conjunct.op == ">=" else limit + 1)
            else:
                return None
        elif conjunct.kind == "regex" and conjunct.op in ("~", "~*") and conjunct.value_casts in ((), ("text",)):
            # (a pattern cast to citext matches case-insensitively: left to the database)
            pattern = ("(?i)" if conjunct.op == "~*" else "") + value
            if re.search(r"\[\[:|\\[mMyY]", pattern):  # POSIX classes, word boundaries: not Python's
                return None
            try:
                re.compile(pattern)
            except re.error:
                return None
            kwargs["pattern"] = string_literal(pattern)
        elif (
            conjunct.kind == "membership"
            and conjunct.value_casts in ((), ("text[]",))
            and all(v.kind == "string" and v.casts in _TEXT_CASTS for v in conjunct.values)
        ):  # (strings cast to citext compare case-insensitively: left to the database)
            literals = [v.text for v in conjunct.values]
        else:
            return None
    return kwargs, literals


def _plain_casts(conjunct: Conjunct) -> bool:
    """True when the subject's casts carry no type modifier (``(price)::numeric``, not ``::numeric(4,1)``)."""
    return not any("(" in cast for cast in conjunct.casts)
