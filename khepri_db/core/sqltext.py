"""SQL text handling: statement splitting as the Supabase CLI does it, and upsert targets.

Statement splitting follows the Supabase CLI exactly (see :func:`split_statements`), because the
chunks it finds are what ``schema_migrations.statements`` records. Everything else walks
sqlparse's tokens: its lexer knows quotes, dollar quotes, comments and ``BEGIN ATOMIC`` bodies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlparse import keywords, lexer
from sqlparse import tokens as sqltok


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


@dataclass(frozen=True)
class UpsertTarget:
    """An ``insert ... on conflict`` found in a function body.

    Attributes:
        table_schema: the schema if the table name was qualified, else ``None``.
        table_name: the table name (unquoted names folded to lower case, as Postgres does).
        columns: the conflict target's elements: column names, or normalised expressions
            (lower case, no whitespace) for expression elements. Empty for ``on constraint``.
        plain: ``True`` when every element is a plain column name.
        predicate: the ``where`` of the conflict target (partial index inference), if any.
        constraint: the name after ``on conflict on constraint``, if used.
        line: 1-based line of the ``insert`` keyword within the body.
    """

    table_schema: str | None
    table_name: str
    columns: tuple[str, ...]
    plain: bool
    predicate: str | None
    constraint: str | None
    line: int


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


def _expression(tokens: list[Token]) -> str:
    text = "".join(t.value if t.value.startswith('"') else t.value.lower() for t in tokens)
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text


def find_upserts(body: str) -> list[UpsertTarget]:
    """Find every ``insert ... on conflict`` in a SQL or PL/pgSQL function body.

    Statements inside dynamic SQL strings (``execute '...'``) are not seen.

    Args:
        body: the function's source (``pg_proc.prosrc``, or the SQL body of a ``begin atomic`` one).

    Returns:
        One :class:`UpsertTarget` per ``on conflict`` with a target (``on conflict do nothing``
        without a target needs no index and is skipped), in body order.
    """
    if "conflict" not in body.lower():
        return []
    toks = significant_tokens(body)
    depth_at: list[int] = []
    depth = 0
    for tok in toks:
        if tok.is_punct(")"):
            depth -= 1
        depth_at.append(depth)
        if tok.is_punct("("):
            depth += 1

    found: list[UpsertTarget] = []
    for i, tok in enumerate(toks):
        if not (tok.ttype in sqltok.DML and tok.value.upper() == "INSERT"):
            continue
        if i + 1 >= len(toks) or not toks[i + 1].is_word("INTO"):
            continue
        # table name: ident [. ident]
        j = i + 2
        parts: list[str] = []
        while j < len(toks):
            ident = identifier(toks[j])
            if ident is None:
                break
            parts.append(ident)
            if j + 1 < len(toks) and toks[j + 1].is_punct("."):
                j += 2
                continue
            j += 1
            break
        if not parts:
            continue
        schema, name = (parts[-2], parts[-1]) if len(parts) >= 2 else (None, parts[-1])
        base = depth_at[i]
        k = j
        while k < len(toks) and depth_at[k] >= base:
            if depth_at[k] == base and toks[k].is_punct(";"):
                break
            if depth_at[k] == base and toks[k].is_word("ON") and k + 1 < len(toks) and toks[k + 1].is_word("CONFLICT"):
                target = _conflict_target(toks, depth_at, k + 2, base)
                if target is not None:
                    columns, plain, predicate, constraint = target
                    found.append(
                        UpsertTarget(schema, name, columns, plain, predicate, constraint, line_at(body, tok.offset))
                    )
                break
            k += 1
    return found


def _conflict_target(
    toks: list[Token], depth_at: list[int], k: int, base: int
) -> tuple[tuple[str, ...], bool, str | None, str | None] | None:
    if k >= len(toks):
        return None
    if toks[k].is_word("ON") and k + 2 < len(toks) and toks[k + 1].is_word("CONSTRAINT"):
        return (), True, None, identifier(toks[k + 2])
    if not toks[k].is_punct("("):
        return None  # `on conflict do ...` without a target
    elements: list[list[Token]] = [[]]
    m = k + 1
    while m < len(toks) and depth_at[m] > base:
        t = toks[m]  # the loop ends on the target's closing paren, the first token back at `base`
        if depth_at[m] == base + 1 and t.is_punct(","):
            elements.append([])
        else:
            elements[-1].append(t)
        m += 1
    columns: list[str] = []
    plain = True
    for element in elements:
        if not element:
            continue
        head = identifier(element[0])
        rest = element[1:]
        simple = head is not None and (not rest or rest[0].is_word("COLLATE") or identifier(rest[0]) is not None)
        if simple and not (rest and rest[0].is_punct("(")):
            columns.append(head)  # type: ignore[arg-type]
        else:
            plain = False
            columns.append(_expression(element))
    predicate: str | None = None
    m += 1
    if m < len(toks) and toks[m].is_word("WHERE"):
        pred: list[Token] = []
        m += 1
        while m < len(toks) and not (depth_at[m] == base and toks[m].is_word("DO")):
            pred.append(toks[m])
            m += 1
        predicate = " ".join(t.value for t in pred)
    return tuple(columns), plain, predicate, None


def _unwrapped(text: str) -> str:
    """``text`` without parentheses that wrap all of it (``((a) OR (b))`` -> ``(a) OR (b)``)."""
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
    text = _unwrapped(expression)
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
    return [_unwrapped(p) for p in parts]
