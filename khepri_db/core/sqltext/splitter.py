"""Statement splitting exactly as the Supabase CLI splits a migration file (supabase/cli,
``pkg/parser``): the chunks it finds are what ``supabase_migrations.schema_migrations.statements``
records, so khepri-db records the very same ones. The public entry point is :func:`split_statements`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from khepri_db.core.sqltext.scan import leading_words, skip_comments


@dataclass(frozen=True)
class Statement:
    """One statement of a SQL file, as the Supabase CLI splits and records it.

    Attributes:
        text: the chunk without surrounding whitespace or trailing ``;`` (the form the Supabase
            CLI stores in ``schema_migrations.statements``). Comments are kept.
        offset: character offset of ``text`` in the file.
        line: 1-based line of ``text``'s first character in the file.
    """

    text: str
    offset: int
    line: int

    @property
    def code_offset(self) -> int:
        """Offset in ``text`` of the first character after leading whitespace and comments
        (``len(text)`` for a comment-only chunk)."""
        return skip_comments(self.text)

    @property
    def comment_only(self) -> bool:
        """True for a chunk of comments and whitespace only (Postgres runs it as an empty query)."""
        return self.code_offset >= len(self.text)

    @property
    def code_line(self) -> int:
        """1-based file line of the statement's first character that is not a comment."""
        return self.line + self.text.count("\n", 0, min(self.code_offset, len(self.text)))

    def words(self, count: int = 4) -> tuple[str, ...]:
        """The first ``count`` words (keywords or names, upper case) after leading comments."""
        return leading_words(self.text, count)


# -- The Supabase CLI's statement splitter -------------------------------------------------------
#
# `supabase db push` splits a file with a small state machine (supabase/cli, pkg/parser/state.go and
# token.go) and records the chunks it finds. To record the very same statements, this module runs an
# equivalent machine (our own code, written from the behaviour of theirs). Its quirks are kept on
# purpose, because the recorded statements must be equal:
#
# * a chunk ends at a `;` outside quotes, comments, dollar quotes, parentheses and BEGIN ATOMIC
#   bodies; a final unterminated chunk is kept, so a trailing comment is a statement of its own;
# * `--` comments end at a newline; `/* */` comments nest (a window of two characters is matched,
#   so `/*/` opens and closes);
# * quotes `'...'` and `"..."` treat a doubled delimiter as an escape; a backslash outside quotes
#   escapes the next character, inside quotes it is literal;
# * `$tag$ ... $tag$` (tag letters, digits, `_`) is opaque;
# * `(` opens a level that ends at the next `)` seen at top level of that level (one `)` may close
#   several nested levels), and `begin atomic` opens a body that ends at the next `end`, matched as
#   three characters, case-insensitively, even inside a longer word.
# Chunks are trimmed like the CLI: trailing `;` removed, then surrounding whitespace (Go's
# unicode.IsSpace); empty chunks are dropped.

_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)


def _go_trim_space(text: str) -> tuple[str, int]:
    """``strings.TrimSpace`` of Go: the trimmed text and how many characters were cut at the start."""
    start, end = 0, len(text)
    while start < end and text[start] in _GO_SPACE:
        start += 1
    while end > start and text[end - 1] in _GO_SPACE:
        end -= 1
    return text[start:end], start


def _is_letter(char: str) -> bool:
    return char.isalpha()  # Unicode category L*, as Go's unicode.IsLetter


def _is_identifier_char(char: str) -> bool:
    return char.isalpha() or char.isdecimal() or char in "_$"


class _State:
    """One state of the splitter. ``step`` consumes ``text[end - 1]`` (the token so far is
    ``text[start:end]``) and returns the next state, or ``None`` to end the chunk there."""

    def step(self, text: str, start: int, end: int) -> _State | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def skip(self, text: str, pos: int) -> int:
        """The first position >= ``pos`` whose character may change this state (a fast path)."""
        return pos


_READY_BORING = re.compile(r"[^$'\"\-/\\;(cC]+")


class _Ready(_State):
    def step(self, text: str, start: int, end: int) -> _State | None:
        char = text[end - 1]
        if char == "$":
            return _Tag(end - 1)
        if char in "'\"":
            return _Quote(char)
        if char == "-":
            return _LineCommentStart()
        if char == "/":
            return _Block()
        if char == "\\":
            return _Escape()
        if char == ";":
            return None
        if char == "(":
            return _Nested(self, ")")
        if char in "cC" and _is_begin_atomic(text, start, end):
            return _Nested(self, "END")
        return self

    def skip(self, text: str, pos: int) -> int:
        match = _READY_BORING.match(text, pos)
        return match.end() if match else pos


def _is_begin_atomic(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` ends with ``BEGIN <spaces> ATOMIC`` as whole words (case-insensitive)."""
    offset = end - 6
    if offset < start or text[offset:end].upper() != "ATOMIC":
        return False
    if offset > start and _is_identifier_char(text[offset - 1]):
        return False
    prefix_end = offset
    while prefix_end > start and text[prefix_end - 1] in _GO_SPACE:
        prefix_end -= 1
    begin = prefix_end - 5
    if begin < start or text[begin:prefix_end].upper() != "BEGIN":
        return False
    return begin == start or not _is_identifier_char(text[begin - 1])


class _LineCommentStart(_State):
    """After one ``-``: a second one opens a comment up to the newline."""

    def step(self, text: str, start: int, end: int) -> _State | None:
        if text[end - 1] == "-":
            return _Delimited("\n", end)
        return _Ready().step(text, start, end)


class _Block(_State):
    """After ``/``: ``/*`` opens a (nesting) block comment."""

    def __init__(self) -> None:
        self.depth = 0

    def step(self, text: str, start: int, end: int) -> _State | None:
        window = text[end - 2 : end]
        if window == "/*":
            self.depth += 1
            return self
        if self.depth == 0:
            return _Ready().step(text, start, end)
        if window == "*/":
            self.depth -= 1
            if self.depth == 0:
                return _Ready()
        return self

    def skip(self, text: str, pos: int) -> int:
        if self.depth == 0:
            return pos
        slash, star = text.find("/", pos), text.find("*", pos)
        found = [i for i in (slash, star) if i >= 0]
        return min(found) if found else len(text)


class _Quote(_State):
    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.escape = False

    def step(self, text: str, start: int, end: int) -> _State | None:
        char = text[end - 1]
        if self.escape:
            if char == self.delimiter:
                self.escape = False
                return self
            return _Ready().step(text, start, end)
        if char == self.delimiter:
            self.escape = True
        return self

    def skip(self, text: str, pos: int) -> int:
        if self.escape:
            return pos
        found = text.find(self.delimiter, pos)
        return found if found >= 0 else len(text)


class _Delimited(_State):
    """Opaque text up to ``delimiter`` (a dollar quote's tag, or the newline ending a comment)."""

    def __init__(self, delimiter: str, opened_at: int) -> None:
        self.delimiter = delimiter
        self.opened_at = opened_at  # end of the opening tag

    def step(self, text: str, start: int, end: int) -> _State | None:
        if text.endswith(self.delimiter, start, end):
            return _Ready()
        return self

    def skip(self, text: str, pos: int) -> int:
        # the window may overlap the opening tag (`$$$` closes at once), as in the CLI
        found = text.find(self.delimiter, max(pos - len(self.delimiter) + 1, self.opened_at - len(self.delimiter) + 1))
        if found < 0:
            return len(text)
        return max(pos, found + len(self.delimiter) - 1)


class _Tag(_State):
    def __init__(self, offset: int) -> None:
        self.offset = offset

    def step(self, text: str, start: int, end: int) -> _State | None:
        char = text[end - 1]
        if char == "$":
            return _Delimited(text[self.offset : end], end)
        if _is_letter(char) or char.isdecimal() or char == "_":
            return self
        return _Ready().step(text, start, end)


class _Escape(_State):
    def step(self, text: str, start: int, end: int) -> _State | None:
        return _Ready()


class _Nested(_State):
    """Inside ``( ... )`` or a ``BEGIN ATOMIC ... END`` body: ``;`` does not end the chunk."""

    def __init__(self, prev: _State, delimiter: str) -> None:
        self.prev = prev
        self.delimiter = delimiter

    def step(self, text: str, start: int, end: int) -> _State | None:
        current = self.prev.step(text, start, end)
        if current is not None:
            self.prev = current
        if type(self.prev) is _Ready and text[end - len(self.delimiter) : end].upper() == self.delimiter:
            return _Ready()
        return self

    def skip(self, text: str, pos: int) -> int:
        if type(self.prev) is _Ready:
            boring = _NESTED_BORING[self.delimiter].match(text, pos)
            return boring.end() if boring else pos
        return self.prev.skip(text, pos)


_NESTED_BORING = {
    ")": re.compile(r"[^$'\"\-/\\;(cC)]+"),
    "END": re.compile(r"[^$'\"\-/\\;(cCdD]+"),
}


def split_chunks(sql: str) -> list[tuple[int, int]]:
    """Where the Supabase CLI's splitter cuts ``sql``: ``(start, end)`` of every raw chunk, untrimmed,
    each ending just after its ``;`` (the last one at the end of the text)."""
    chunks: list[tuple[int, int]] = []
    state: _State = _Ready()
    start = pos = 0
    length = len(sql)
    while pos < length:
        pos = state.skip(sql, pos)
        if pos >= length:
            break
        pos += 1
        next_state = state.step(sql, start, pos)
        if next_state is None:
            chunks.append((start, pos))
            start = pos
            state = _Ready()
        else:
            state = next_state
    if start < length:
        chunks.append((start, length))
    return chunks


def split_statements(sql: str) -> list[Statement]:
    """Split ``sql`` into the statements ``supabase db push`` executes and records.

    Args:
        sql: the whole file, exactly as read (no newline translation; a leading byte-order mark is
            the caller's business).

    Returns:
        The non-empty chunks in file order, trimmed as the CLI trims them (trailing ``;`` then
        surrounding whitespace). A comment-only chunk, such as a trailing comment after the last
        ``;``, is a statement of its own, as in the CLI (Postgres runs it as an empty query).
    """
    statements: list[Statement] = []
    line, counted = 1, 0
    for start, end in split_chunks(sql):
        raw = sql[start:end].rstrip(";")
        text, cut = _go_trim_space(raw)
        if text:
            offset = start + cut
            line += sql.count("\n", counted, offset)
            counted = offset
            statements.append(Statement(text, offset, line))
    return statements
