"""``insert ... on conflict`` targets in function bodies, for the rule that reports an ON CONFLICT
target with no matching unique index (``on_conflict_without_unique_index``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlparse import tokens as sqltok

from khepri_db.core.sqltext import Token, identifier, line_at, significant_tokens


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
