"""SQL tokens for the analyses that read statement and function-body text (doctor, gen types):
sqlparse's lexer, run through one compiled alternation per first character for speed: the same
tokens (it reads sqlparse's lexer tables; before sqlparse 0.6 sqlparse itself lexes).
The public entry point is :func:`significant_tokens`; :func:`identifier` reads a name token and
:func:`split_top_level` splits an expression at its top-level ``OR`` or ``AND``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlparse import keywords, lexer
from sqlparse import tokens as sqltok


@dataclass(frozen=True)
class Token:
    """One significant lexer token: its sqlparse type, text and character offset in the source.

    Attributes:
        ttype: sqlparse's token type.
        value: the text as written.
        offset: character offset of ``value`` in the lexed text.
        wordlike: the token is a keyword or a name (what :meth:`is_word` matches).
    """

    ttype: object
    value: str
    offset: int
    wordlike: bool = False

    def is_word(self, *words: str) -> bool:
        """True when the token is one of ``words`` (upper case), as a keyword or a name."""
        return self.wordlike and self.value.upper() in words

    def is_punct(self, char: str) -> bool:
        """True when the token is the punctuation ``char``."""
        return self.value == char and self.ttype is sqltok.Punctuation


def _lex(sql: str, *, merge_blanks: bool = False) -> list[tuple[object, str]]:
    """``lexer.tokenize(sql)`` as a list, with the same tokens, found faster.

    sqlparse tries its patterns one by one at every position; the first that matches wins. One
    alternation of the same patterns, in the same order and with the same flags, picks the same
    alternative in one call (Python's ``re`` tries alternatives left to right), so the tokens are
    identical. At an ASCII character, the alternation holds only the patterns that can match text
    starting with that character (see :func:`_first_char_regexes`), in the same order: a pattern
    left out could not have matched there. Dollar quotes and block comments are resolved with
    sqlparse's own delimiter scan, at the positions the lexer reaches, as it does; keyword lookups
    are cached per spelling.

    With ``merge_blanks``, a run of spaces (or tabs) is one token instead of one per character
    (the same text at the same offsets): for callers that skip whitespace, as :func:`_tokens` does.
    """
    if not _LEXER_STATE:
        _LEXER_STATE.update(_build_lexer())
    state = _LEXER_STATE
    if state["fallback"]:
        return list(lexer.tokenize(sql))
    full, by_char, actions = state["regex"], state["by_char"], state["actions"]
    instance, kinds, blanks = state["instance"], state["keywords"], state["blanks"]
    spans = keywords.find_delimited_spans(sql)
    openers = spans.openers
    out: list[tuple[object, str]] = []
    pos, size = 0, len(sql)
    while pos < size:
        if pos in openers:
            resolved = spans.resolve(pos)
            if resolved is not None:
                end, ttype = resolved
                out.append((ttype, sql[pos:end]))
                pos = end
                continue
        char = sql[pos]
        if char in blanks:
            # a run of spaces (or tabs): sqlparse makes each character a token of its own
            end = pos + 1
            while end < size and sql[end] == char:
                end += 1
            if merge_blanks:
                out.append((blanks[char], sql[pos:end]))
            else:
                out.extend([(blanks[char], char)] * (end - pos))
            pos = end
            continue
        matcher = by_char.get(char)
        if matcher is None:
            if full is None:
                full = state["regex"] = state["alternation"](range(len(actions)))
            matcher = full
        m = matcher(sql, pos)
        if m is None:
            out.append((sqltok.Error, sql[pos]))
            pos += 1
            continue
        value = m.group()
        action = actions[m.lastgroup]
        if isinstance(action, sqltok._TokenType):
            out.append((action, value))
        elif action is keywords.PROCESS_AS_KEYWORD:
            kind = kinds.get(value)
            if kind is None:
                kind = kinds[value] = instance.is_keyword(value)[0]
            out.append((kind, value))
        pos = max(m.end(), pos + 1)
    return out


_LEXER_STATE: dict = {}
"""The alternations of :func:`_lex`, built on first use from sqlparse's lexer."""


def _build_lexer() -> dict:
    if not hasattr(keywords, "find_delimited_spans"):
        # sqlparse < 0.6 matches dollar quotes with a back-reference inside its patterns, which an
        # alternation would renumber: lex with sqlparse itself.
        return {"fallback": True}
    instance = lexer.Lexer.get_default_instance()
    patterns = [(rexmatch.__self__.pattern, action) for rexmatch, action in instance._SQL_REGEX]
    flags = re.IGNORECASE | re.UNICODE

    def alternation(indexes: Sequence[int]):
        return re.compile("|".join(f"(?P<g{i}>{patterns[i][0]})" for i in indexes), flags).match

    by_char = _first_char_regexes([p for p, _ in patterns], flags, alternation)
    # A space or tab (no dollar quote or comment opens at one): when its only candidate pattern is
    # sqlparse's lazy one-character whitespace match, each character of a run is one token.
    blanks = {}
    for char in (" ", "\t"):
        matcher = by_char.get(char)
        candidates = [
            i
            for i in range(len(patterns))
            if f"(?P<g{i}>" in getattr(getattr(matcher, "__self__", None), "pattern", "")
        ]
        if len(candidates) == 1:
            pattern, action = patterns[candidates[0]]
            if pattern == r"\s+?" and isinstance(action, sqltok._TokenType):
                blanks[char] = action
    return {
        "fallback": False,
        "regex": None,  # the whole alternation, compiled when a non-ASCII character needs it
        "alternation": alternation,
        "blanks": blanks,
        "by_char": by_char,
        "actions": {f"g{i}": action for i, (_, action) in enumerate(patterns)},
        "instance": instance,
        "keywords": {},
    }


def _first_char_regexes(patterns: Sequence[str], flags: int, alternation) -> dict[str, object]:
    """For each ASCII character, the alternation of the patterns that may match text starting with
    it (a superset: whatever this cannot decide keeps the pattern). Empty when the pattern syntax
    cannot be read (a private module of ``re``): every position then uses the whole alternation."""
    try:
        from re import _constants as c
        from re import _parser
    except ImportError:  # pragma: no cover - another Python's re internals
        return {}
    ascii_chars = [chr(code) for code in range(128)]
    everything = frozenset(ascii_chars)
    categories = {
        c.CATEGORY_DIGIT: str.isdigit,
        c.CATEGORY_SPACE: str.isspace,
        c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    }

    cases = {ch: {ch, ch.lower(), ch.upper()} for ch in ascii_chars}  # IGNORECASE

    def variants(ch: str) -> set[str]:
        return cases.get(ch) or {ch, ch.lower(), ch.upper()}

    def in_set(items, ch: str) -> bool:
        negate, hit = False, False
        for op, arg in items:
            if op is c.NEGATE:
                negate = True
            elif op is c.LITERAL:
                hit |= chr(arg) in variants(ch) or ch in variants(chr(arg))
            elif op is c.RANGE:
                hit |= any(arg[0] <= ord(v) <= arg[1] for v in variants(ch))
            elif op is c.CATEGORY and arg in categories:
                hit |= categories[arg](ch)
            else:
                return True
        return hit != negate

    def first(seq) -> tuple[frozenset[str], bool]:
        """(ASCII characters a match of ``seq`` may start with, whether it may be empty)."""
        found: set[str] = set()
        for op, arg in seq:
            if op is c.LITERAL:
                found |= {ch for ch in ascii_chars if chr(arg) in variants(ch) or ch in variants(chr(arg))}
                return frozenset(found), False
            if op is c.IN:
                found |= {ch for ch in ascii_chars if in_set(arg, ch)}
                return frozenset(found), False
            if op in (c.ANY, c.NOT_LITERAL):
                return everything, False
            if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
                continue  # zero width: ignoring it only widens the set
            if op is c.SUBPATTERN:
                inner, empty = first(arg[-1])
            elif op is c.BRANCH:
                results = [first(alt) for alt in arg[1]]
                inner = frozenset().union(*(r[0] for r in results))
                empty = any(r[1] for r in results)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                inner, empty = first(arg[2])
                empty = empty or arg[0] == 0
            else:
                return everything, True
            found |= inner
            if not empty:
                return frozenset(found), False
        return frozenset(found), True

    try:
        starts = []
        for pattern in patterns:
            chars, empty = first(list(_parser.parse(pattern, flags)))
            starts.append(everything if empty else chars)
    except Exception:  # pragma: no cover - another Python's re internals
        return {}
    # Letters share one alternation (the union of their patterns, still in order), as do digits:
    # fewer alternations compile faster, and match as fast.
    groups: dict[str, list[str]] = {}
    for ch in ascii_chars:
        key = "letters" if ch.isalpha() or ch == "_" else "digits" if ch.isdigit() else ch
        groups.setdefault(key, []).append(ch)
    compiled: dict[tuple[int, ...], object] = {}
    table: dict[str, object] = {}
    for chars in groups.values():
        indexes = tuple(i for i, first_chars in enumerate(starts) if first_chars.intersection(chars))
        if indexes not in compiled:
            compiled[indexes] = alternation(indexes) if indexes else (lambda text, pos: None)
        for ch in chars:
            table[ch] = compiled[indexes]
    return table


_TOKENS_CACHED = 64
"""Texts whose tokens :func:`_tokens` keeps. Its callers read a text again soon after the first time
(doctor reads one function body for its statements, then for its identity arguments, before the next
body), so a few dozen suffice; every body of a large schema kept at once held ~60 MB of tokens on
1,183 functions (benchmarks/bench_real_size.py, synthetic 3000)."""


@lru_cache(maxsize=_TOKENS_CACHED)
def _tokens(sql: str) -> tuple[Token, ...]:
    out: list[Token] = []
    offset = 0
    kinds: dict[object, bool | None] = {}  # token type -> wordlike, or None for whitespace and comments
    new = object.__new__
    for ttype, value in _lex(sql, merge_blanks=True):  # whitespace is skipped: runs of it in one token
        if ttype in kinds:
            wordlike = kinds[ttype]
        else:
            skipped = (
                ttype in sqltok.Whitespace
                or ttype in sqltok.Comment
                or ttype in sqltok.Newline
                or ttype in sqltok.Text.Whitespace
            )
            wordlike = kinds[ttype] = None if skipped else (ttype in sqltok.Keyword or ttype in sqltok.Name)
        if wordlike is not None:
            # Token(ttype, value, offset, wordlike) without the frozen dataclass's __init__ (one
            # object.__setattr__ per field): this loop builds every token of every body
            tok = new(Token)
            tok.__dict__.update(ttype=ttype, value=value, offset=offset, wordlike=wordlike)
            out.append(tok)
        offset += len(value)
    return tuple(out)


def significant_tokens(sql: str) -> list[Token]:
    """sqlparse's tokens of ``sql`` without whitespace and comments, each with its offset.

    Lexing is cached per text for the last :data:`_TOKENS_CACHED` texts: doctor reads each function
    body several times in a row.
    """
    return list(_tokens(sql))


def identifier(tok: Token) -> str | None:
    """The identifier a token names (quoted: as written; unquoted: folded), or ``None``."""
    if tok.wordlike:  # a keyword or name is never a quoted identifier: test the cheap case first
        return tok.value.lower()
    if tok.value.startswith('"') and tok.ttype in sqltok.Literal.String.Symbol:
        return tok.value[1:-1].replace('""', '"')
    return None


def unwrapped(text: str) -> str:
    """``text``, stripped, without the parentheses that wrap all of it (``((a) OR (b))`` -> ``(a) OR
    (b)``), read with the lexer's tokens (quotes and comments respected)."""
    while True:
        text = text.strip()
        toks = significant_tokens(text)
        if len(toks) < 2 or not (toks[0].is_punct("(") and toks[-1].is_punct(")")):
            return text
        depth = 0
        for index, tok in enumerate(toks):
            depth += tok.is_punct("(") - tok.is_punct(")")
            if depth == 0 and index < len(toks) - 1:
                return text  # the first parenthesis closes before the end: (a) OR (b)
        text = text[toks[0].offset + 1 : toks[-1].offset]


def split_top_level(expression: str, word: str) -> list[str]:
    """The operands of the top-level ``word`` (``OR`` or ``AND``) of an SQL expression, each without
    parentheses that wrap all of it; ``[expression]`` (unwrapped) when there is none.

    Parentheses, quotes, ``CASE ... END`` and the ``AND`` of ``BETWEEN x AND y`` are respected (sqlparse's
    lexer). Written for ``pg_get_expr`` output, e.g. a policy's ``using``:
    ``split_top_level("((owner_id = auth.uid()) OR (sharing <> 'private'::text))", "or")`` is
    ``["owner_id = auth.uid()", "sharing <> 'private'::text"]``.
    """
    text = unwrapped(expression)
    parts: list[str] = []
    depth = 0
    between = False
    start = 0
    target = word.upper()
    for tok in significant_tokens(text):
        if tok.is_punct("(") or tok.is_word("CASE"):
            depth += 1
        elif tok.is_punct(")") or tok.is_word("END"):
            depth -= 1
        elif depth == 0 and tok.is_word("BETWEEN"):
            between = True
        elif depth == 0 and tok.is_word(target):
            if target == "AND" and between:
                between = False
                continue
            parts.append(text[start : tok.offset])
            start = tok.offset + len(tok.value)
    parts.append(text[start:])
    return [unwrapped(p) for p in parts]


def closing_parenthesis(tokens: Sequence[Token], open_index: int, unbalanced: int | None = None) -> int:
    """The index in ``tokens`` of the ``)`` closing the ``(`` at ``open_index``; when none does,
    ``unbalanced`` (default: the last token's index)."""
    depth = 0
    for index in range(open_index, len(tokens)):
        depth += tokens[index].is_punct("(") - tokens[index].is_punct(")")
        if depth == 0:
            return index
    return len(tokens) - 1 if unbalanced is None else unbalanced
