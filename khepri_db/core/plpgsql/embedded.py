"""The SQL statements and expressions PL/pgSQL hands to the SQL parser at run time, made standalone
(:func:`embedded_statements`): variables and parameters become typed ``NULL`` s and ``INTO`` targets are
dropped, so doctor can ask Postgres to plan each one (``EXPLAIN``, never executed). PL/pgSQL's block
structure (``DECLARE``/``BEGIN``/``IF``/``LOOP``/``EXCEPTION``...) is followed only as far as needed to
find where each statement or expression starts and ends, and whether every call runs it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from khepri_db.core.plpgsql.blocks import (
    QUERY_HEADS,
    SPECIAL_VARIABLES,
    TRIGGER_VARIABLES,
    Parameter,
    body_chunks,
    head_word,
)
from khepri_db.core.plpgsql.walker import EmbeddedStatement, Scope, Walker
from khepri_db.core.sqltext import significant_tokens

__all__ = ["BodyAnalysis", "EmbeddedStatement", "embedded_statements"]


@dataclass(frozen=True)
class BodyAnalysis:
    """The result of :func:`embedded_statements`.

    Attributes:
        statements: the embedded statements and expressions, in body order.
        variables: every name that is a variable or parameter in the body (lower case).
        local_relations: tables and CTEs the body creates itself (lower case), whose absence from
            the catalogs is expected.
    """

    statements: list[EmbeddedStatement]
    variables: frozenset[str]
    local_relations: frozenset[str]


def embedded_statements(
    body: str,
    language: str,
    parameters: Sequence[Parameter] = (),
    *,
    function_name: str = "",
    is_trigger: bool = False,
) -> BodyAnalysis:
    """Find the statements and expressions a SQL or PL/pgSQL body hands to the SQL parser.

    Mirrors what PL/pgSQL does at run time: every statement it does not handle itself (``SELECT``,
    ``INSERT``, ``UPDATE``, ``DELETE``, ``MERGE``, ``WITH``, ``PERFORM``, ``RETURN QUERY``, the query
    of ``FOR ... IN``) and every expression (``IF``/``ELSIF``/``WHILE`` conditions, assignments,
    ``RETURN`` values, declaration defaults) is SQL planned against the catalogs. Dynamic SQL
    (``EXECUTE``) and DDL are skipped.

    Args:
        body: ``pg_proc.prosrc``.
        language: ``plpgsql`` or ``sql``.
        parameters: the function's readable parameters (names and types).
        function_name: the function's name (PL/pgSQL allows ``function_name.parameter``).
        is_trigger: the function returns ``trigger`` (``NEW``, ``OLD``, ``TG_*`` are variables).

    Returns:
        A :class:`BodyAnalysis`. Statements keep their body line for reporting.
    """
    scope = Scope(function_name=function_name.lower())
    for param in parameters:
        scope.parameters[f"${param.position}"] = param.type
        if param.name:
            scope.variables[param.name.lower()] = param.type
    if language == "plpgsql":
        for special in SPECIAL_VARIABLES | (TRIGGER_VARIABLES if is_trigger else frozenset()):
            scope.variables.setdefault(special, None)
    tokens = significant_tokens(body)
    walker = Walker(body, language, scope)
    for chunk in body_chunks(tokens):
        if language == "plpgsql":
            walker.walk(chunk.tokens)
        elif chunk.tokens and (head_word(chunk.tokens[0]) in QUERY_HEADS or chunk.tokens[0].is_punct("(")):
            walker.emit("query", chunk.tokens)
            walker.note_ctes(chunk.tokens)
    statements = [
        s if every else dataclasses.replace(s, every_call=False)
        for s, every in zip(walker.statements, walker.every_call(), strict=True)
    ]
    return BodyAnalysis(statements, frozenset(scope.variables), frozenset(walker.local_relations - {""}))
