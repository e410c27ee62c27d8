"""Whether a SECURITY DEFINER body checks who is calling (:func:`checks_caller`), for the verdict on
anon reaching it (:attr:`khepri_db.access.report.CellResult.exposure`): read with sqlparse's tokens,
following the helpers the body calls (:func:`function_bodies`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import psycopg

from khepri_db.core.sqltext import Token, closing_parenthesis, identifier, significant_tokens


def checks_caller(body: str, helpers: Mapping[str, Sequence[str]] | None = None, depth: int = 4) -> bool:
    """Whether a function body checks who is calling: it compares ``auth.uid()``, ``auth.jwt()``,
    ``auth.email()``, ``auth.role()`` or the ``request.jwt.claims`` settings PostgREST sets with
    something (:func:`_caller_facts`: a condition, not an audit column it fills), outside comments
    (sqlparse's lexer). With ``helpers`` (function name, bare and ``schema.name``, lower case -> the
    bodies of the functions of that name: :func:`function_bodies`), a call of a function whose body
    checks the caller counts too, followed ``depth`` calls deep (grida's ``rls_asset`` calls
    ``rls_document``, which calls ``rls_project``, which compares ``auth.uid()``)."""
    direct, called = _caller_facts(body)
    if direct or helpers is None or depth <= 0:
        return direct
    return any(checks_caller(other, helpers, depth - 1) for name in called for other in helpers.get(name, ()))


@lru_cache(maxsize=4096)
def _caller_facts(body: str) -> tuple[bool, frozenset[str]]:
    """(the body compares the caller with something itself, the names of the functions it calls: bare
    or ``schema.name``, lower case) for :func:`checks_caller`.

    A read of the caller (``auth.uid()``, ``auth.jwt()``, ``auth.email()``, ``auth.role()``,
    ``current_setting('request.jwt.claims'...)``) counts when it is an operand of a comparison
    (``=``, ``<>``, ``is``, ``in``...; after ``->>``, ``::type`` and literals: ``auth.jwt() ->> 'role' =
    'admin'``), directly or through a variable it was assigned to (``v := auth.uid()``, ``select
    auth.uid() into v``) that is. A caller only written into a row (``redeemed_by = auth.uid()`` in a
    ``values`` list, an audit column) decides nothing."""
    tokens = significant_tokens(body)
    called: set[str] = set()
    reads: list[tuple[int, int]] = []  # (first token, closing parenthesis) of each read of the caller
    for index in range(1, len(tokens)):
        name = _name(tokens[index - 1]) if tokens[index].is_punct("(") else None
        if name is None:
            continue
        schema = _name(tokens[index - 3]) if index >= 3 and tokens[index - 2].value == "." else None
        caller = (schema == "auth" and name in ("uid", "jwt", "email", "role")) or (
            name == "current_setting" and index + 1 < len(tokens) and "request.jwt.claim" in tokens[index + 1].value
        )
        if caller:
            reads.append((index - 3 if schema else index - 1, closing_parenthesis(tokens, index)))
        else:
            called.add(f"{schema}.{name}" if schema else name)
    variables: set[str] = set()
    for start, end in reads:
        if _compared(tokens, start, end):
            return True, frozenset()
        if start >= 2 and tokens[start - 1].value == ":=":  # v := auth.uid()
            variables.add(tokens[start - 2].value.lower())
        if end + 2 < len(tokens) and tokens[end + 1].is_word("INTO"):  # select auth.uid() into v
            variables.add(tokens[end + 2].value.lower())
    for index, tok in enumerate(tokens):
        assigned = index + 1 < len(tokens) and tokens[index + 1].value == ":="
        if tok.value.lower() in variables and not assigned and _compared(tokens, index, index):
            return True, frozenset()
    return False, frozenset(called)


_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">=", "IS", "IN", "LIKE", "ILIKE", "ANY", "DISTINCT"})
_PATH = frozenset({"->", "->>", "#>", "#>>", "::"})


_CONDITION_WORDS = frozenset({"WHERE", "AND", "OR", "ON", "WHEN", "IF", "ELSIF", "SELECT", "HAVING", "RETURN", "THEN"})


def _set_clause(tokens: Sequence[Token], operator: int) -> bool:
    """Whether the ``=`` at ``tokens[operator]`` assigns in an ``update ... set`` list (``set
    updated_by = auth.uid()``) rather than compares: reading back at the same depth, ``set`` comes
    before any word that opens a condition."""
    depth = 0
    for index in range(operator - 1, -1, -1):
        tok = tokens[index]
        depth += tok.is_punct(")") - tok.is_punct("(")
        if depth < 0 or tok.is_punct(";"):
            return False
        if depth == 0 and tok.is_word("SET"):
            return True
        if depth == 0 and tok.wordlike and tok.value.upper() in _CONDITION_WORDS:
            return False
    return False


def _compared(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether the operand ``tokens[start:end + 1]`` stands beside a comparison operator: before it
    (past opening parentheses), or after it past closing parentheses, ``->>``-style paths, casts and
    literals (``(auth.jwt() ->> 'role')::text = 'admin'``)."""
    index = start - 1
    while index >= 0 and tokens[index].is_punct("("):
        index -= 1
    if index >= 0 and tokens[index].value.upper() in _COMPARISONS and not _set_clause(tokens, index):
        return True
    index = end + 1
    while index < len(tokens) and (
        tokens[index].value in _PATH
        or tokens[index].is_punct(")")
        or tokens[index].value.startswith("'")
        or (tokens[index - 1].value == "::" and tokens[index].wordlike)
    ):
        index += 1
    return index < len(tokens) and tokens[index].value.upper() in _COMPARISONS


def _name(tok: Token) -> str | None:
    """A keyword or a name token as Postgres folds it: unquoted lower case, quoted as written."""
    return tok.value.lower() if tok.wordlike else identifier(tok)


def function_bodies(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Function name (bare and ``schema.name``, lower case) -> the SQL and PL/pgSQL bodies of the
    functions of that name outside ``pg_catalog`` and ``information_schema``, for :func:`checks_caller`."""
    rows = conn.execute(
        "select n.nspname, p.proname, p.prosrc from pg_catalog.pg_proc as p "
        "join pg_catalog.pg_namespace as n on n.oid = p.pronamespace "
        "join pg_catalog.pg_language as l on l.oid = p.prolang "
        "where l.lanname in ('sql', 'plpgsql') and n.nspname not in ('pg_catalog', 'information_schema')"
    ).fetchall()
    bodies: dict[str, list[str]] = {}
    for schema, name, body in rows:
        for key in (name.lower(), f"{schema}.{name}".lower()):
            bodies.setdefault(key, []).append(body or "")
    return bodies
