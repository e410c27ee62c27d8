"""What both body analyses share: PL/pgSQL's own variables, the statement heads they tell apart,
function parameters, and a body's token stream cut at semicolons and searched at depth 0."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlparse import tokens as sqltok

from khepri_db.core.sqltext import Token

TRIGGER_VARIABLES = frozenset(
    {"new", "old", "tg_op", "tg_name", "tg_when", "tg_level", "tg_relid", "tg_table_name", "tg_table_schema",
     "tg_nargs", "tg_argv", "tg_event", "tg_tag"}
)  # fmt: skip
"""Variables PL/pgSQL defines in trigger functions."""

SPECIAL_VARIABLES = frozenset({"found", "sqlstate", "sqlerrm"})
"""Variables PL/pgSQL defines in every function."""

QUERY_HEADS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "MERGE", "VALUES", "TABLE"})
SKIPPED_HEADS = frozenset(
    {"RAISE", "GET", "EXECUTE", "NULL", "COMMIT", "ROLLBACK", "CLOSE", "FETCH", "MOVE", "CALL", "CREATE", "DROP",
     "CREATE OR REPLACE", "ALTER", "TRUNCATE", "LOCK", "NOTIFY", "LISTEN", "UNLISTEN", "ANALYZE", "VACUUM",
     "REFRESH", "SET", "RESET", "GRANT", "REVOKE", "COMMENT", "DISCARD", "SAVEPOINT", "RELEASE", "COPY", "IMPORT",
     "REINDEX", "CLUSTER"}
)  # fmt: skip
INTO_STOP = frozenset(
    {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "WINDOW",
     "FOR", "FETCH", "RETURNING", "ON", "USING", "SET", "VALUES", "END"}
)  # fmt: skip


@dataclass(frozen=True)
class Parameter:
    """A function parameter as :func:`embedded_statements` needs it.

    Attributes:
        name: its name (``None`` if unnamed; it is still ``$position``).
        position: 1-based position among the parameters the body can read (IN, INOUT, VARIADIC).
        type: its type as ``format_type`` prints it (``uuid``, ``public.athletes``...).
    """

    name: str | None
    position: int
    type: str


@dataclass
class Chunk:
    tokens: list[Token]
    start: int  # index in the body's token list


def body_chunks(tokens: list[Token]) -> list[Chunk]:
    """Split at semicolons outside parentheses and brackets."""
    chunks: list[Chunk] = []
    depth = 0
    current: list[Token] = []
    start = 0
    punctuation = sqltok.Punctuation
    for index, tok in enumerate(tokens):
        if tok.ttype is punctuation:  # what Token.is_punct checks, inlined: this loop is hot
            value = tok.value
            if value == "(" or value == "[":
                depth += 1
            elif value == ")" or value == "]":
                depth = max(0, depth - 1)
            elif value == ";" and depth == 0:
                if current:
                    chunks.append(Chunk(current, start))
                current = []
                start = index + 1
                continue
        current.append(tok)
    if current:
        chunks.append(Chunk(current, start))
    return chunks


def find_word(tokens: Sequence[Token], start: int, *words: str) -> int:
    """Index of the first of ``words`` at parenthesis depth 0 from ``start``, or ``len(tokens)``."""
    depth = 0
    punctuation = sqltok.Punctuation
    for index in range(start, len(tokens)):
        tok = tokens[index]
        if tok.ttype is punctuation and tok.value in ("(", "["):
            depth += 1
        elif tok.ttype is punctuation and tok.value in (")", "]"):
            depth -= 1
        elif depth == 0 and tok.wordlike and tok.value.upper() in words:  # Token.is_word, inlined
            return index
    return len(tokens)


def head_word(tok: Token) -> str:
    # Token.wordlike is what it says: the token is a keyword or a name (sqltext.tokens._tokens sets it)
    return tok.value.upper() if tok.wordlike else ""
