"""The parameters of a function that carry a caller-supplied user id (``p_user_id``, ``athlete_id``...)
and whether its body ever compares them with the caller's identity (``auth.uid()``, or a value derived
from it): :func:`identity_arguments`, for doctor's rule ``security_definer_trusts_caller_id`` (loaded
by :mod:`khepri_db.doctor._facts`). It reads the body with the shared reader's token tools
(:mod:`khepri_db.core.plpgsql`); the rule is doctor's own, so this stays here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from sqlparse import tokens as sqltok

from khepri_db.core.plpgsql import (
    INTO_STOP,
    QUERY_HEADS,
    Parameter,
    body_chunks,
    find_word,
    head_word,
)
from khepri_db.core.sqltext import Token, closing_parenthesis, identifier, line_at, significant_tokens

# -- identity arguments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityArgument:
    """A parameter that carries a caller-supplied user/tenant id, and how the body treats it.

    Attributes:
        name: the parameter name as declared.
        position: 1-based position.
        used_in_query: the parameter (or a variable copied from it) appears in a SQL statement.
        checked: some statement or condition puts it together with the caller's identity
            (``auth.uid()``, ``auth.jwt()``, a variable holding either, or a helper function that
            reads them), or an ``IF``/``ASSERT`` guard authorises the caller through such a
            helper or ``auth.role()``/``auth.jwt()``.
        line: body line of its first use in a SQL statement, or ``None``.
        named_like_identity: its name says it carries a user/tenant id (``p_user_id``...); the
            others are reported only with ``watch_all``.
        columns: the columns (lower case, unqualified) the parameter selects or writes rows by:
            compared with (``where c.user_id = p_user_id``, ``id in (...)``, ``= any(...)``), assigned
            to (``set owner_id = ...``) or inserted into (``insert into t (owner_id) values (...)``).

    ``used_in_query`` and ``line`` count only uses that select or write rows: a parameter that only
    feeds ``LIMIT``, ``OFFSET``, ``FETCH`` or ``ORDER BY`` (paging) is not used.
    """

    name: str
    position: int
    used_in_query: bool
    checked: bool
    line: int | None
    named_like_identity: bool = True
    columns: tuple[str, ...] = ()


def normalised_parameter_name(name: str) -> str:
    """``p_user_id`` -> ``user_id``: the usual parameter prefixes removed, lower case."""
    lowered = name.lower()
    for prefix in ("in_", "arg_", "p_", "_"):
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            return lowered[len(prefix) :]
    return lowered


_IDENTITY_CALLS = frozenset({("auth", "uid"), ("auth", "jwt"), ("auth", "email")})
_ROLE_CALLS = frozenset({("auth", "role"), ("auth", "jwt")})


def _calls(tokens: Sequence[Token]) -> list[tuple[str | None, str]]:
    """``(schema, name)`` of every function call among ``tokens``."""
    found: list[tuple[str | None, str]] = []
    punctuation = sqltok.Punctuation
    last = len(tokens) - 1
    for index, tok in enumerate(tokens):
        if index >= last or tokens[index + 1].value != "(" or tokens[index + 1].ttype is not punctuation:
            continue  # not followed by "(" (Token.is_punct, inlined: this runs for every token)
        name = identifier(tok)
        if name is None:
            continue
        schema = identifier(tokens[index - 2]) if index >= 2 and tokens[index - 1].is_punct(".") else None
        found.append((schema, name))
    return found


def _mentions_jwt_sub(tokens: Sequence[Token]) -> bool:
    return any(
        t.value.startswith("'")  # what both spellings start with: a cheap test first
        and t.ttype in sqltok.Literal.String.Single
        and t.value.lower() in {"'request.jwt.claim.sub'", "'request.jwt.claims'"}
        for t in tokens
    )


HelperIndex = Mapping[str, AbstractSet[str]]
"""Helper functions by name: lower-case name -> lower-case schemas (see :func:`helper_index`)."""


def helper_index(functions: Iterable[tuple[str, str]] | HelperIndex) -> HelperIndex:
    """``(schema, name)`` pairs indexed by name (a call matches a helper of its name in its schema,
    or in any when unqualified). An index is returned as is: doctor builds it once per run, not once
    per body (with a helper per function, building it per body grows with the square of the schema).
    """
    if isinstance(functions, Mapping):
        return functions
    index: dict[str, set[str]] = {}
    for s, n in functions:
        index.setdefault(n.lower(), set()).add(s.lower())
    return index


def identity_arguments(
    body: str,
    language: str,
    parameters: Sequence[Parameter],
    identity_names: Iterable[str],
    *,
    identity_functions: Iterable[tuple[str, str]] | HelperIndex = (),
    authorization_functions: Iterable[tuple[str, str]] | HelperIndex = (),
    function_name: str = "",
    watch_all: bool = False,
) -> list[IdentityArgument]:
    """Report, for each parameter named like a user/tenant id (every named parameter with
    ``watch_all``), whether the body checks it.

    Args:
        body: ``pg_proc.prosrc`` of a SQL or PL/pgSQL function.
        language: ``plpgsql`` or ``sql``.
        parameters: the readable parameters.
        identity_names: normalised names that mean "a user's or tenant's id" (``user_id``,
            ``athlete_id``...); a parameter matches after :func:`normalised_parameter_name`.
        identity_functions: ``(schema, name)`` of helper functions whose result is derived from the
            caller's identity (e.g. ``public.current_athlete_id()``, which reads ``auth.uid()``).
        authorization_functions: ``(schema, name)`` of boolean helpers that read the caller's
            identity or claims (``is_admin()``): an ``IF``/``ASSERT`` guard calling one authorises
            the caller for every argument (or their :func:`helper_index`).
        watch_all: watch every named parameter, not only those named like an id: a SECURITY
            DEFINER function reaching rows by ``p_project_id``, ``filter_text`` or ``target`` is as
            dangerous as one taking ``p_user_id``.

    Returns:
        One :class:`IdentityArgument` per watched parameter, in parameter order.
    """
    names = {n.lower() for n in identity_names}
    watched = {
        p.name.lower(): p for p in parameters if p.name and (watch_all or normalised_parameter_name(p.name) in names)
    }
    if not watched:
        return []
    identity_fns = helper_index(identity_functions)
    auth_fns = helper_index(authorization_functions)

    def is_identity_call(call: tuple[str | None, str]) -> bool:
        schema, name = call
        return (schema, name) in _IDENTITY_CALLS or (
            name in identity_fns and (schema is None or schema in identity_fns[name])
        )

    def is_authorization_call(call: tuple[str | None, str]) -> bool:
        schema, name = call
        return (schema, name) in _ROLE_CALLS or (name in auth_fns and (schema is None or schema in auth_fns[name]))

    tokens = significant_tokens(body)
    derived: dict[str, str] = {name: name for name in watched}  # variable -> parameter it carries
    identity_vars: set[str] = set()
    positional = {f"${p.position}": p.name.lower() for p in watched.values()}
    used: dict[str, int] = {}
    checked: set[str] = set()
    authorised = False
    reads_identity = False  # some statement or condition of the body reads the caller's identity

    own_name = function_name.lower()

    def names_in(chunk: Sequence[Token]) -> set[str]:
        out = set()
        punctuation = sqltok.Punctuation
        for index, tok in enumerate(chunk):
            qualified = index > 0 and chunk[index - 1].value == "." and chunk[index - 1].ttype is punctuation
            if qualified and not (index > 1 and own_name and identifier(chunk[index - 2]) == own_name):
                continue
            name = positional.get(tok.value) or identifier(tok)
            if name is not None:
                out.add(name)
        return out

    # Each statement part once: (kind, first offset, names mentioned, calls, whether it calls an
    # identity function or names the JWT's subject, the variables it assigns).
    analysed = []
    for chunk in body_chunks(tokens):
        for kind, part in _statement_parts(chunk.tokens):
            if not part:
                continue
            calls = _calls(part)
            analysed.append(
                (kind, part, names_in(part), calls,
                 any(is_identity_call(c) for c in calls) or _mentions_jwt_sub(part), _assignment_targets(part))
            )  # fmt: skip
    columns: dict[str, set[str]] = {}
    # Two passes: the first learns which variables carry what, the second judges each statement.
    for learning in (True, False):
        for kind, part, mentioned, calls, checks_caller, targets in analysed:
            carries_identity = checks_caller or bool(mentioned & identity_vars)
            params_here = {derived[n] for n in mentioned if n in derived}
            if learning:
                for target in targets:
                    if carries_identity:
                        identity_vars.add(target)
                    elif params_here and target not in derived:
                        derived[target] = next(iter(sorted(params_here)))
                continue
            if kind == "guard" and any(is_authorization_call(c) for c in calls):
                authorised = True
            if carries_identity:
                checked.update(params_here)
                reads_identity = True
            if kind == "query" and params_here:
                carriers = {n: derived[n] for n in mentioned if n in derived}
                for param, found in _row_uses(part, carriers, positional, own_name).items():
                    used.setdefault(param, line_at(body, part[0].offset))
                    columns.setdefault(param, set()).update(found)
    return [
        IdentityArgument(
            name=p.name or f"${p.position}",
            position=p.position,
            used_in_query=key in used,
            # an argument not named like an id is checked when the body looks at the caller at all
            checked=authorised or key in checked or (normalised_parameter_name(key) not in names and reads_identity),
            line=used.get(key),
            named_like_identity=normalised_parameter_name(key) in names,
            columns=tuple(sorted(columns.get(key, ()))),
        )
        for key, p in watched.items()
    ]


_PAGING_CLAUSES = frozenset({"LIMIT", "OFFSET", "FETCH", "ORDER BY"})
_CLAUSE_WORDS = frozenset(
    {"SELECT", "FROM", "WHERE", "ON", "USING", "SET", "VALUES", "GROUP BY", "HAVING", "RETURNING", "WINDOW",
     "LIMIT", "OFFSET", "FETCH", "ORDER BY"}
)  # fmt: skip
_OPERAND_BOUNDS = frozenset(
    {"AND", "OR", "WHERE", "ON", "WHEN", "THEN", "ELSE", "SET", "HAVING", "SELECT", "USING", "CASE", "END",
     "RETURNING", "VALUES", "FROM", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "FETCH", "JOIN", "INTO", "AS"}
)  # fmt: skip
_COMPARISONS = frozenset({"=", "==", "<>", "!=", "IN", "LIKE", "ILIKE"})


def _levels(tokens: Sequence[Token]) -> tuple[list[str | None], list[int]]:
    """For each token: the clause it is in (the innermost one: a parenthesis without its own clause
    is in the clause around it) and the index of the ``(`` opening its level (-1 at the top)."""
    clauses: list[str | None] = []
    opens: list[int] = []
    stack: list[tuple[int, str | None]] = [(-1, None)]
    for index, tok in enumerate(tokens):
        if tok.is_punct("("):
            clauses.append(next((c for _, c in reversed(stack) if c), None))
            opens.append(stack[-1][0])
            stack.append((index, None))
            continue
        if tok.is_punct(")") and len(stack) > 1:
            stack.pop()
        elif tok.wordlike:
            word = " ".join(tok.value.upper().split())
            distinct = index > 0 and tokens[index - 1].is_word("DISTINCT")  # is [not] distinct from
            if word in _CLAUSE_WORDS and not (word == "FROM" and distinct):
                stack[-1] = (stack[-1][0], word)
        clauses.append(next((c for _, c in reversed(stack) if c), None))
        opens.append(stack[-1][0])
    return clauses, opens


def _is_comparison(tokens: Sequence[Token], index: int) -> bool:
    tok = tokens[index]
    word = tok.value.upper()
    if word in _COMPARISONS and (tok.ttype in sqltok.Operator or tok.wordlike):
        return True
    return word == "FROM" and index > 0 and tokens[index - 1].is_word("DISTINCT")


def _column_before(tokens: Sequence[Token], index: int) -> str | None:
    """The column named just before ``tokens[index]`` (``c.user_id`` gives ``user_id``), skipping the
    ``NOT`` of ``not in`` and the ``IS NOT DISTINCT`` of ``is not distinct from``."""
    k = index - 1
    while k >= 0 and tokens[k].is_word("NOT", "IS", "DISTINCT"):
        k -= 1
    if k < 0 or tokens[k].ttype in sqltok.Keyword:
        return None
    return identifier(tokens[k])


def _column_after(tokens: Sequence[Token], index: int) -> str | None:
    """The column named just after ``tokens[index]`` (the last part of a dotted name)."""
    k = index + 1
    if k >= len(tokens) or tokens[k].ttype in sqltok.Keyword:
        return None
    name = identifier(tokens[k])
    while name is not None and k + 2 < len(tokens) and tokens[k + 1].is_punct("."):
        k += 2
        name = identifier(tokens[k])
    if k + 1 < len(tokens) and tokens[k + 1].is_punct("("):
        return None  # a function call, not a column
    return name


def _insert_columns(tokens: Sequence[Token]) -> list[str] | None:
    """The column list of ``insert into t [as a] (c1, c2)``, or ``None``."""
    at = next((k for k, t in enumerate(tokens[:2]) if t.is_word("INSERT")), None)
    if at is None:
        return None
    k = at + 1
    while k < len(tokens) and not tokens[k].is_punct("("):
        if tokens[k].is_word("VALUES", "SELECT", "DEFAULT", "WITH", "OVERRIDING"):
            return None
        k += 1
    columns: list[str] = []
    k += 1
    while k < len(tokens) and not tokens[k].is_punct(")"):
        name = identifier(tokens[k])
        if name is not None and not (k > 0 and tokens[k - 1].is_punct(".")):
            columns.append(name)
        k += 1
    return columns


def _compared_column(tokens: Sequence[Token], opens: list[int], lo: int, hi: int) -> tuple[bool, str | None]:
    """Whether the operand ``tokens[lo:hi + 1]`` is one side of a comparison at its level, and the
    column on the other side (``None`` when that side is not a plain column)."""
    level = opens[lo]
    k = lo - 1
    while k > level and not (tokens[k].is_punct(",") or head_word(tokens[k]) in _OPERAND_BOUNDS):
        if tokens[k].is_punct(")"):
            depth = 0
            while k > level:  # skip a parenthesised group
                depth += tokens[k].is_punct(")") - tokens[k].is_punct("(")
                if depth == 0:
                    break
                k -= 1
        elif _is_comparison(tokens, k):
            return True, _column_before(tokens, k)
        k -= 1
    k = hi + 1
    while k < len(tokens) and not (
        tokens[k].is_punct(",") or tokens[k].is_punct(")") or head_word(tokens[k]) in _OPERAND_BOUNDS
    ):
        if tokens[k].is_punct("("):
            k = closing_parenthesis(tokens, k)
        elif _is_comparison(tokens, k):
            return True, _column_after(tokens, k)
        k += 1
    return False, None


def _row_uses(
    tokens: Sequence[Token], carriers: dict[str, str], positional: dict[str, str], own_name: str
) -> dict[str, set[str]]:
    """Where the names in ``carriers`` (variable or parameter -> the parameter it carries) select or
    write rows in one SQL statement: parameter -> the columns it is compared with, assigned or
    inserted into (empty when no column can be named). Uses only in ``LIMIT``, ``OFFSET``,
    ``FETCH`` or ``ORDER BY`` are not uses."""
    clauses, opens = _levels(tokens)
    inserted = _insert_columns(tokens)
    uses: dict[str, set[str]] = {}
    count = len(tokens)
    for index, tok in enumerate(tokens):
        qualified = index > 0 and tokens[index - 1].is_punct(".")
        if qualified and not (index > 1 and own_name and identifier(tokens[index - 2]) == own_name):
            continue
        name = positional.get(tok.value) or identifier(tok)
        if name is None or name not in carriers or (index + 1 < count and tokens[index + 1].is_punct("(")):
            continue
        if clauses[index] in _PAGING_CLAUSES:
            continue
        found = uses.setdefault(carriers[name], set())
        lo = hi = index
        while True:
            level = opens[lo]
            compared, column = _compared_column(tokens, opens, lo, hi)
            if compared:
                if column is not None:
                    found.add(column)
                break
            if level < 0:
                # insert ... select <list>: the position in the select list names the column
                if inserted and clauses[lo] == "SELECT":
                    position = sum(
                        1 for j in range(lo) if tokens[j].is_punct(",") and opens[j] < 0 and clauses[j] == "SELECT"
                    )
                    if position < len(inserted):
                        found.add(inserted[position])
                break
            # a parenthesised tuple of VALUES: the position in the tuple names the column
            if (
                inserted
                and clauses[level] == "VALUES"
                and level > 0
                and (tokens[level - 1].is_word("VALUES") or tokens[level - 1].is_punct(","))
            ):
                position = sum(1 for j in range(level + 1, lo) if tokens[j].is_punct(",") and opens[j] == level)
                if position < len(inserted):
                    found.add(inserted[position])
                break
            # climb out of the parenthesis, with the function it calls if any (any(...), lower(...))
            calls = level > 0 and identifier(tokens[level - 1]) is not None
            lo = level - 1 if calls and tokens[level - 1].ttype not in sqltok.Keyword else level
            hi = closing_parenthesis(tokens, level)
    return uses


def _assignment_targets(part: Sequence[Token]) -> list[str]:
    """Variables a statement part assigns: ``v := ...``, ``select ... into v``, ``returning ... into v``."""
    targets: list[str] = []
    for index, tok in enumerate(part):
        if not tok.wordlike and tok.value != ":=":
            continue  # neither `:=` (sqlparse's only Assignment) nor INTO: the common case, tested cheaply
        if tok.ttype in sqltok.Assignment and index > 0:
            name = identifier(part[0])
            if name:
                targets.append(name)
        if tok.is_word("INTO") and not (index > 0 and part[index - 1].is_word("INSERT", "MERGE")):
            k = index + 1
            if k < len(part) and part[k].is_word("STRICT"):
                k += 1
            while k < len(part) and not part[k].is_word(*INTO_STOP):
                name = identifier(part[k])
                if name and not (k > 0 and part[k - 1].is_punct(".")):
                    targets.append(name)
                k += 1
    return targets


def _statement_parts(chunk: Sequence[Token]) -> list[tuple[str, list[Token]]]:
    """A chunk split into (kind, tokens): ``guard`` for IF/ELSIF/WHILE/ASSERT conditions,
    ``declare`` for a declaration, ``query`` for SQL statements, ``other`` for the rest."""
    parts: list[tuple[str, list[Token]]] = []
    i = 0
    while i < len(chunk):
        head = head_word(chunk[i])
        if head in {"DECLARE", "BEGIN", "ELSE", "LOOP"} or chunk[i].value == "<<":
            i += 3 if chunk[i].value == "<<" else 1
            continue
        if head.startswith("END"):
            break
        if head in {"IF", "ELSIF", "ELSEIF", "WHILE", "WHEN", "EXCEPTION", "CASE"}:
            end = find_word(chunk, i + 1, "THEN", "LOOP")
            parts.append(("guard" if head != "EXCEPTION" else "other", list(chunk[i + 1 : end])))
            i = end + 1
            continue
        if head == "ASSERT":
            parts.append(("guard", list(chunk[i + 1 :])))
            break
        if head in {"FOR", "FOREACH"}:
            inside = find_word(chunk, i + 1, "IN")
            end = find_word(chunk, inside + 1, "LOOP")
            parts.append(("query", list(chunk[inside + 1 : end])))
            i = end + 1
            continue
        rest = list(chunk[i:])
        if head in QUERY_HEADS or head in {"PERFORM", "RETURN"}:
            parts.append(("query", rest))
        else:
            parts.append(("other", rest))
        break
    return parts
