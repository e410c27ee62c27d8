"""Scans of SQL text as PostgreSQL's own lexer reads it, without tokenizing: whether a text is one
statement to the server (:func:`postgres_reads_as_one`), where comments end, the first words of a
statement, line numbers, and the whitespace-blind form used to compare a file with recorded statements.
"""

from __future__ import annotations

import re

_PG_SPECIAL = re.compile(r"--|/\*|['\"$;]")
_PG_ATOMIC = re.compile(r"\batomic\b", re.IGNORECASE)
_PG_PLAIN_QUOTED = {"'": re.compile(r"'(?:[^']|'')*'"), '"': re.compile(r'"(?:[^"]|"")*"')}
_PG_ESCAPE_STRING = re.compile(r"'(?:[^'\\]|''|\\.)*'", re.DOTALL)
_PG_DOLLAR_TAG = re.compile(r"\$(?:[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f][^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*)?\$")
"""A dollar-quote delimiter as PostgreSQL reads it: ``$$`` or ``$tag$``, the tag made of letters,
``_`` and any non-ASCII character, and digits after the first (ranges negated: cheap to compile)."""
_PG_COMMENT_MARK = re.compile(r"/\*|\*+/")


def _pg_ident_char(char: str) -> bool:
    """A character PostgreSQL's lexer may continue an identifier or a number with."""
    return not char.isascii() or char.isalnum() or char in "_$"


def postgres_reads_as_one(text: str) -> bool:
    """True when PostgreSQL's lexer, with ``standard_conforming_strings`` on, reads ``text`` as
    exactly one statement that ends outside any quote, comment or dollar quote: no ``;`` outside
    them, nothing left open at the end, no ``begin atomic`` body (PostgreSQL's grammar, not its
    lexer, finds where one ends), and no ``$`` that directly follows an identifier character
    (PostgreSQL continues the identifier there; the Supabase CLI's splitter may see a dollar quote).

    The Supabase CLI's splitter (:func:`split_statements`) and PostgreSQL agree on most text but not
    on all (backslash escapes, ``/*/``, a lone carriage return ending a ``--`` comment, dollar-quote
    tags). So statements for which this is true for each can be sent to PostgreSQL together, in
    one query string, and it runs exactly those statements; for the others it is conservative
    (``False`` costs only a round trip per statement).

    Mirrors PostgreSQL's scan.l: ``--`` comments end at a newline or carriage return; ``/* */``
    comments nest; ``'...'`` and ``"..."`` escape their delimiter by doubling it; ``E'...'`` also
    by a backslash; ``$tag$`` (tag not starting with a digit) quotes up to the same tag.
    """
    pos, length = 0, len(text)
    atomic = "atomic" in text.lower()  # then look for the word outside quotes and comments
    while True:
        match = _PG_SPECIAL.search(text, pos)
        if atomic and _PG_ATOMIC.search(text, pos, match.start() if match else length):
            return False
        if match is None:
            return True
        start, found = match.start(), match.group()
        if found == ";":
            return False
        if found == "--":
            newline = text.find("\n", start)
            newline = length if newline < 0 else newline
            carriage_return = text.find("\r", start, newline)  # also ends it, for PostgreSQL
            pos = (newline if carriage_return < 0 else carriage_return) + 1
        elif found == "/*":
            depth, pos = 1, start + 2
            while depth:
                mark = _PG_COMMENT_MARK.search(text, pos)
                if mark is None:
                    return False
                depth += 1 if mark.group() == "/*" else -1
                pos = mark.end()
        elif found == "$":
            if start > 0 and _pg_ident_char(text[start - 1]):
                return False
            tag = _PG_DOLLAR_TAG.match(text, start)
            if tag is None:
                pos = start + 1  # a parameter ($1) or a lone $
                continue
            close = text.find(tag.group(), tag.end())
            if close < 0:
                return False
            pos = close + len(tag.group())
        else:  # a quote
            escape = (
                found == "'"
                and start > 0
                and text[start - 1] in "eE"
                and (start == 1 or not _pg_ident_char(text[start - 2]))
            )
            quoted = (_PG_ESCAPE_STRING if escape else _PG_PLAIN_QUOTED[found]).match(text, start)
            if quoted is None:
                return False
            pos = quoted.end()
        if pos >= length:
            return True


def skip_comments(sql: str, pos: int = 0) -> int:
    """The offset of the first character at or after ``pos`` that is neither whitespace nor part of
    a comment (``--`` to the end of the line; ``/* */`` nested, as Postgres reads them)."""
    length = len(sql)
    while pos < length:
        char = sql[pos]
        if char.isspace():
            pos += 1
        elif sql.startswith("--", pos):
            newline = sql.find("\n", pos)
            pos = length if newline < 0 else newline + 1
        elif sql.startswith("/*", pos):
            depth, pos = 1, pos + 2
            while pos < length and depth:
                if sql.startswith("/*", pos):
                    depth, pos = depth + 1, pos + 2
                elif sql.startswith("*/", pos):
                    depth, pos = depth - 1, pos + 2
                else:
                    pos += 1
        else:
            break
    return pos


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def leading_words(sql: str, count: int = 4) -> tuple[str, ...]:
    """The first ``count`` bare words of ``sql`` (upper case), skipping comments between them;
    stops early at anything that is not a bare word (a quote, a parenthesis, a number)."""
    words: list[str] = []
    pos = 0
    while len(words) < count:
        pos = skip_comments(sql, pos)
        match = _WORD.match(sql, pos)
        if not match:
            break
        words.append(match.group().upper())
        pos = match.end()
    return tuple(words)


def line_at(sql: str, offset: int) -> int:
    """1-based line number of character ``offset`` in ``sql``."""
    return sql.count("\n", 0, max(0, min(offset, len(sql)))) + 1


_NOISE = re.compile(r"[\s;]+")


def comparable(sql: str) -> str:
    """``sql`` with all whitespace and semicolons removed.

    Used to compare a file with the ``statements`` the Supabase CLI recorded: equal content gives
    equal strings whatever the statement boundaries were.
    """
    return _NOISE.sub("", sql)
