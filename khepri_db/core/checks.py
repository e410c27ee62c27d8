"""One reader of a ``CHECK`` constraint's definition, for every face that needs to know what a CHECK
allows: ``gen types`` turns simple ones into pydantic ``Field`` arguments, ``access init`` harvests
their literals as candidate values.

The text read is what PostgreSQL's ``pg_get_constraintdef(oid)`` prints (``ruleutils.c``,
``pg_get_constraintdef_worker``): ``CHECK (<expression>)``, then ``NO INHERIT``, ``NOT VALID`` and,
from PostgreSQL 18, ``NOT ENFORCED`` when they apply. The expression is deparsed, not the source:
every operator application is wrapped in parentheses (``((a > 0) AND (a < 10))``), ``x IN ('a',
'b')`` prints as ``(x = ANY (ARRAY['a'::text, 'b'::text]))``, ``BETWEEN`` as two comparisons, a
negative constant as a quoted, cast string (``'-1'::integer``), a domain's value as ``VALUE``, and a
``varchar`` column is cast before text operators (``((status)::text = ANY (...))``). A string
literal is printed for ``standard_conforming_strings = on`` (khepri-db's connections, PostgreSQL's
default): quotes doubled, backslashes as they are, never ``E''`` (``simple_quote_literal``), and is
read that way. A bare expression (``pg_get_expr`` output, or source text with ``IN (...)`` and
``E'...'`` strings) is read too.

:func:`read_check` reads a definition once (cached) into a frozen :class:`CheckReading`: its top-level
``AND`` conjuncts, each classified (:class:`Conjunct`), and every literal of the whole definition.
It reads sqlparse's tokens (:func:`khepri_db.core.sqltext.significant_tokens`); what it does not
recognise is a conjunct of kind ``"other"``, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlparse import tokens as sqltok

from khepri_db.core.sqltext import Token, closing_parenthesis, identifier, significant_tokens, split_top_level

__all__ = ["CheckReading", "Conjunct", "Constant", "number_value", "read_check"]

LENGTH_FUNCTIONS = frozenset({"char_length", "character_length", "length", "octet_length", "bit_length"})
"""Functions a ``length`` conjunct bounds (PostgreSQL's string length functions)."""

_COMPARISONS = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>", "!=": "<>"}
"""Comparison operators, each with its mirror (``5 < x`` is ``x > 5``); ``!=`` reads as ``<>``."""
_REGEX_OPS = frozenset({"~", "~*", "!~", "!~*"})
_NUMERIC_TYPES = frozenset(
    {"integer", "int", "int2", "int4", "int8", "smallint", "bigint", "numeric", "decimal", "real", "float4", "float8",
     "double precision"}
)  # fmt: skip
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_REPETITION = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_MULTIWORD_TYPES = {
    "character": {"varying"},
    "bit": {"varying"},
    "double": {"precision"},
    "timestamp": {"with", "without", "time", "zone"},
    "time": {"with", "without", "time", "zone"},
}
"""Type names of several words (``character varying``): the words that may follow the first."""
_NOT_OPERANDS = frozenset({"AND", "OR", "NOT", "CASE", "WHEN", "THEN", "ELSE", "END", "IS", "IN", "ANY", "ALL",
                           "SOME", "EXISTS", "BETWEEN", "LIKE", "ILIKE", "SIMILAR", "COLLATE"})  # fmt: skip
_E_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass(frozen=True)
class Constant:
    """A literal value in a definition.

    Attributes:
        text: a string literal's value, unescaped (``'it''s'`` -> ``it's``), or a number as printed
            (``40``, ``0.5``, ``-1`` from ``'-1'::integer``).
        kind: ``"string"`` or ``"number"``.
        casts: the casts applied to it, innermost first, as printed (``("citext",)`` for ``'a'::citext``).
    """

    text: str
    kind: str
    casts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conjunct:
    """One operand of the definition's top-level ``AND`` (the whole expression when there is none).

    Attributes:
        text: the conjunct as printed, without the parentheses that wrap all of it.
        kind: ``"comparison"`` (the subject compared with a number), ``"length"`` (a length function of
            the subject compared with a number), ``"regex"`` (the subject matched against a string
            pattern), ``"membership"`` (``subject = ANY (ARRAY[...])`` or ``subject IN (...)`` with
            constants only) or ``"other"``.
        subject: the column the conjunct is about, unquoted (``"Title"`` -> ``Title``, ``status`` ->
            ``status``), or ``"VALUE"`` for a domain's value; ``None`` for ``"other"``.
        casts: the casts applied to the subject, innermost first, as printed (``("text",)`` for
            ``(status)::text``; ``("character varying(3)",)``).
        op: ``comparison`` and ``length``: ``<``, ``<=``, ``>``, ``>=``, ``=`` or ``<>``, with the subject
            on the left (``5 < x`` reads as ``x > 5``); ``regex``: ``~``, ``~*``, ``!~`` or ``!~*``;
            ``membership``: ``"in"``; else ``None``.
        value: ``comparison`` and ``length``: the number as printed (``"40"``, ``"-1"``, ``"0.5"``);
            ``regex``: the pattern, unescaped; else ``None``.
        value_casts: the casts applied to what the subject is compared with: the number, the pattern
            (``("text",)``; ``("citext",)`` makes ``~`` case-insensitive) or the array (``("text[]",)``).
        function: ``length``: the function (``char_length``, ``length``, ...), lower case; else ``None``.
        values: ``membership``: the constants, in order; else empty.
    """

    text: str
    kind: str
    subject: str | None = None
    casts: tuple[str, ...] = ()
    op: str | None = None
    value: str | None = None
    value_casts: tuple[str, ...] = ()
    function: str | None = None
    values: tuple[Constant, ...] = ()


@dataclass(frozen=True)
class CheckReading:
    """What :func:`read_check` read from one definition.

    Attributes:
        definition: the text read.
        expression: the checked expression (inside ``CHECK (...)``).
        conjuncts: the top-level ``AND`` operands, in order, each classified.
        flags: the clauses after the expression, upper case: ``"NO INHERIT"``, ``"NOT VALID"``,
            ``"NOT ENFORCED"``.
        strings: every string literal of the expression, unescaped, in order of first appearance,
            without repeats.
        numbers: every numeric literal, as printed, in order of first appearance, without repeats;
            a string literal cast to a numeric type counts too (``'-1'::integer`` -> ``-1``: how
            PostgreSQL prints a negative constant).
        patterns: the string literals used as patterns (the right operand of ``~``, ``~*``, ``!~``,
            ``!~*``, or of ``similar_to_escape(...)``: how ``SIMILAR TO`` prints), anywhere in the
            expression, unescaped, in order, without repeats.
        repetitions: the repetition counts of those patterns (``{64}`` -> 64, ``{2,8}`` -> 2 and 8), as
            text, in order, without repeats.
    """

    definition: str
    expression: str
    conjuncts: tuple[Conjunct, ...]
    flags: tuple[str, ...]
    strings: tuple[str, ...]
    numbers: tuple[str, ...]
    patterns: tuple[str, ...]
    repetitions: tuple[str, ...]

    @property
    def enforced(self) -> bool:
        """False for a PostgreSQL 18 ``NOT ENFORCED`` constraint (the database does not check it)."""
        return "NOT ENFORCED" not in self.flags


def number_value(text: str) -> int | float:
    """A number of a reading (:attr:`CheckReading.numbers`, as printed: ``5``, ``-1``, ``2.5``, ``1e3``) as a
    Python ``int`` when it is written whole, else a ``float``.

    Raises:
        ValueError: ``text`` is not a number.
    """
    try:
        return int(text)
    except ValueError:
        return float(text)


@lru_cache(maxsize=4096)
def read_check(definition: str) -> CheckReading:
    """Read a CHECK definition as ``pg_get_constraintdef`` prints it (``CHECK ((char_length(name) <=
    40))``), or a bare boolean expression.

    Cached per text (a schema repeats its CHECKs table after table): the result is shared, and
    frozen. Never raises on SQL it does not understand: those conjuncts are of kind ``"other"``.
    """
    text = definition.strip()
    toks = significant_tokens(text)
    expression, flags = text, ()
    if len(toks) >= 2 and toks[0].is_word("CHECK") and toks[1].is_punct("("):
        close = closing_parenthesis(toks, 1)
        expression = text[toks[1].offset + 1 : toks[close].offset]
        flags = _flags(toks[close + 1 :])
    conjuncts = tuple(_conjunct(part) for part in split_top_level(expression, "and") if part)
    strings, numbers, patterns = _literals(significant_tokens(expression))
    repetitions = _unique(n for pattern in patterns for m in _REPETITION.finditer(pattern) for n in m.groups() if n)
    return CheckReading(definition, expression.strip(), conjuncts, flags, strings, numbers, patterns, repetitions)


# operands ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Operand:
    """An operand read from tokens: ``kind`` is ``name``, ``string``, ``number``, ``call``, ``array``,
    ``list`` (a parenthesised list of two or more) or ``other``; ``value`` is the name (unquoted), the
    unescaped string or the number text, or the function's name; ``items`` the call's arguments or the
    array's or list's elements; ``casts`` the casts applied to it, innermost first."""

    kind: str
    value: str = ""
    items: tuple[_Operand, ...] = ()
    casts: tuple[str, ...] = ()

    def constant(self) -> Constant | None:
        if self.kind == "string":
            if self.casts and self.casts[0] in _NUMERIC_TYPES and _NUMBER.fullmatch(self.value):
                return Constant(self.value, "number", self.casts)
            return Constant(self.value, "string", self.casts)
        if self.kind == "number":
            return Constant(self.value, "number", self.casts)
        return None

    def number(self) -> str | None:
        """The number this operand is: a numeric literal, or a string holding one that is not cast or is
        cast to a numeric type (``'-1'::integer``)."""
        if self.kind == "number":
            return self.value
        if self.kind == "string" and (not self.casts or self.casts[0] in _NUMERIC_TYPES):
            return self.value if _NUMBER.fullmatch(self.value) else None
        return None


_OTHER = _Operand("other")


def _string_value(toks: Sequence[Token], index: int) -> str:
    """The value of the string literal at ``toks[index]``, an escape string when an ``E`` is glued to it."""
    body = toks[index].value[1:-1]
    prefix = toks[index - 1] if index else None
    if prefix is not None and prefix.value in ("E", "e") and prefix.offset + 1 == toks[index].offset:
        return re.sub(r"\\(.)|''", lambda m: _E_ESCAPES.get(m[1], m[1]) if m[1] else "'", body)
    return body.replace("''", "'")


def _is_string(tok: Token) -> bool:
    return tok.ttype in sqltok.Literal.String.Single


def _is_number(tok: Token) -> bool:
    return tok.ttype in sqltok.Literal.Number


def _operand(toks: Sequence[Token], i: int) -> tuple[_Operand, int]:
    """The operand starting at ``toks[i]`` and the index after it (with its casts); ``_OTHER`` and
    ``len(toks)`` when it cannot be read."""
    n = len(toks)
    if i >= n:
        return _OTHER, n
    tok = toks[i]
    if tok.is_punct("("):
        close = closing_parenthesis(toks, i)
        inner, end = _operand(toks, i + 1)
        if end == close:
            found = inner
        else:
            items = _items(toks, i + 1, close)
            found = _Operand("list", items=items) if len(items) > 1 else _OTHER
        return _casts(found, toks, close + 1)
    if _is_string(tok):
        return _casts(_Operand("string", _string_value(toks, i)), toks, i + 1)
    if _is_number(tok):
        return _casts(_Operand("number", tok.value), toks, i + 1)
    if tok.value == "-" and i + 1 < n and _is_number(toks[i + 1]) and not toks[i + 1].value.startswith("-"):
        return _casts(_Operand("number", "-" + toks[i + 1].value), toks, i + 2)
    if tok.value in ("E", "e") and i + 1 < n and _is_string(toks[i + 1]) and tok.offset + 1 == toks[i + 1].offset:
        return _operand(toks, i + 1)
    name = identifier(tok)
    if name is None or (tok.wordlike and tok.value.upper() in _NOT_OPERANDS):
        return _OTHER, n
    if tok.value.upper() == "ARRAY" and i + 1 < n and toks[i + 1].is_punct("["):
        close = _closing_bracket(toks, i + 1)
        return _casts(_Operand("array", items=_items(toks, i + 2, close)), toks, close + 1)
    if i + 1 < n and toks[i + 1].is_punct("("):
        close = closing_parenthesis(toks, i + 1)
        return _casts(_Operand("call", name, _items(toks, i + 2, close)), toks, close + 1)
    if i + 1 < n and toks[i + 1].is_punct("."):
        return _OTHER, n  # a qualified name: never a column of a CHECK
    if tok.wordlike and tok.value.upper() in ("NULL", "TRUE", "FALSE"):
        return _casts(_Operand("other", tok.value.upper()), toks, i + 1)
    subject = "VALUE" if tok.value == "VALUE" else name  # how ruleutils.c prints a domain's value
    return _casts(_Operand("name", subject), toks, i + 1)


def _items(toks: Sequence[Token], start: int, stop: int) -> tuple[_Operand, ...]:
    """The comma-separated operands of ``toks[start:stop]``; one that is not a whole operand is ``_OTHER``."""
    items: list[_Operand] = []
    depth, begin = 0, start
    for index in range(start, stop + 1):
        tok = toks[index] if index < stop else None
        if tok is not None and (tok.is_punct("(") or tok.is_punct("[")):
            depth += 1
        elif tok is not None and (tok.is_punct(")") or tok.is_punct("]")):
            depth -= 1
        elif tok is None or (depth == 0 and tok.is_punct(",")):
            if index > begin:
                item, end = _operand(toks[begin:index], 0)
                items.append(item if end == index - begin else _OTHER)
            begin = index + 1
    return tuple(items)


def _closing_bracket(toks: Sequence[Token], open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(toks)):
        depth += toks[index].is_punct("[") - toks[index].is_punct("]")
        if depth == 0:
            return index
    return len(toks) - 1


def _casts(operand: _Operand, toks: Sequence[Token], i: int) -> tuple[_Operand, int]:
    """``operand`` with the ``::type`` casts that follow it at ``toks[i]``, and the index after them."""
    casts = list(operand.casts)
    n = len(toks)
    while i + 1 < n and toks[i].is_punct("::"):
        i += 1
        first = identifier(toks[i])
        if first is None:
            return _OTHER, n
        words = [toks[i].value.lower() if toks[i].wordlike else toks[i].value]
        i += 1
        while i + 1 < n and toks[i].is_punct(".") and identifier(toks[i + 1]) is not None:  # schema.type
            words[-1] += "." + toks[i + 1].value
            i += 2
        while i < n and toks[i].wordlike and toks[i].value.lower() in _MULTIWORD_TYPES.get(first, ()):
            words.append(toks[i].value.lower())
            i += 1
        name = " ".join(words)
        if i < n and toks[i].is_punct("("):  # a type modifier: character varying(40), numeric(10,2)
            close = closing_parenthesis(toks, i)
            name += "(" + ",".join(t.value for t in toks[i + 1 : close] if not t.is_punct(",")) + ")"
            i = close + 1
        while i + 1 < n and toks[i].is_punct("[") and toks[i + 1].is_punct("]"):
            name += "[]"
            i += 2
        casts.append(name)
    return _Operand(operand.kind, operand.value, operand.items, tuple(casts)), i


# conjuncts -----------------------------------------------------------------------------------------


def _operator(toks: Sequence[Token], i: int) -> tuple[str | None, int]:
    """The binary operator at ``toks[i]`` (``~*``: sqlparse lexes ``~`` then ``*``) and the index after it."""
    if i >= len(toks):
        return None, i
    tok = toks[i]
    if tok.is_word("IN"):
        return "IN", i + 1
    if tok.ttype not in sqltok.Operator.Comparison:
        return None, i
    star = toks[i + 1] if i + 1 < len(toks) else None
    glued = star is not None and star.value == "*" and star.offset == tok.offset + len(tok.value)
    if tok.value in ("~", "!~") and glued:
        return tok.value + "*", i + 2
    return tok.value, i + 1


def _conjunct(text: str) -> Conjunct:
    toks = significant_tokens(text)
    other = Conjunct(text, "other")
    left, i = _operand(toks, 0)
    op, i = _operator(toks, i)
    if op is None:
        return other
    if op == "IN" or (op == "=" and i < len(toks) and toks[i].is_word("ANY")):
        if op == "=":
            if i + 1 >= len(toks) or not toks[i + 1].is_punct("("):
                return other
            close = closing_parenthesis(toks, i + 1)
            right, end = _operand(toks, i + 2)
            if end != close or close != len(toks) - 1 or right.kind != "array":
                return other
        else:
            right, end = _operand(toks, i)
            if end != len(toks) or right.kind not in ("list", "string", "number"):
                return other
            right = right if right.kind == "list" else _Operand("list", items=(right,))
        values = tuple(c for c in (item.constant() for item in right.items) if c is not None)
        if left.kind != "name" or not values or len(values) != len(right.items):
            return other
        return Conjunct(text, "membership", left.value, left.casts, "in", value_casts=right.casts, values=values)
    right, end = _operand(toks, i)
    if end != len(toks):
        return other
    if op in _COMPARISONS:
        op = _COMPARISONS[op] if op == "!=" else op
        if left.number() is not None and right.number() is None:
            left, right, op = right, left, _COMPARISONS[op]
        number = right.number()
        if number is None:
            return other
        if left.kind == "name":
            return Conjunct(text, "comparison", left.value, left.casts, op, number, right.casts)
        if left.kind == "call" and left.value in LENGTH_FUNCTIONS and not left.casts and len(left.items) == 1:
            arg = left.items[0]
            if arg.kind == "name":
                return Conjunct(text, "length", arg.value, arg.casts, op, number, right.casts, left.value)
        return other
    if op in _REGEX_OPS and left.kind == "name" and right.kind == "string":
        return Conjunct(text, "regex", left.value, left.casts, op, right.value, right.casts)
    return other


# literals ------------------------------------------------------------------------------------------


def _literals(toks: Sequence[Token]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(strings, numbers, patterns) of an expression's tokens, as :class:`CheckReading` describes them."""
    strings: list[str] = []
    numbers: list[str] = []
    patterns: list[str] = []
    for index, tok in enumerate(toks):
        if _is_string(tok):
            operand, _ = _operand(toks, index)
            strings.append(operand.value)
            constant = operand.constant()
            if constant is not None and constant.kind == "number":
                numbers.append(constant.text)
        elif _is_number(tok) and _NUMBER.fullmatch(tok.value):
            numbers.append(tok.value)
        op, after = _operator(toks, index)
        if op in _REGEX_OPS:
            right, _ = _operand(toks, after)
            if right.kind == "call" and right.value in ("similar_to_escape", "similar_escape") and right.items:
                right = right.items[0]
            if right.kind == "string":
                patterns.append(right.value)
    return _unique(strings), _unique(numbers), _unique(patterns)


def _flags(toks: Sequence[Token]) -> tuple[str, ...]:
    words = " ".join(t.value.upper() for t in toks)
    return tuple(flag for flag in ("NO INHERIT", "NOT VALID", "NOT ENFORCED") if flag in words)


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
