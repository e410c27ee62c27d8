"""The reader of SQL and PL/pgSQL function bodies every face shares, on sqlparse's tokens (nothing here
tokenizes SQL by hand).

:func:`embedded_statements` turns a body into the SQL statements and expressions PL/pgSQL hands to the
SQL parser at run time, each made standalone: variables and parameters become typed ``NULL`` s and
``INTO`` targets are dropped, and each says whether every call runs it. PL/pgSQL's block structure
(``DECLARE``/``BEGIN``/``IF``/``LOOP``/``EXCEPTION``...) is followed only as far as needed to find where
each statement or expression starts and ends.

Who reads bodies with it: doctor, which asks Postgres to plan each statement for ``function_body_invalid``
(``khepri_db.doctor._facts``) and, on :mod:`.blocks`, finds the caller-supplied ids of
``security_definer_trusts_caller_id`` (``khepri_db.doctor._identity``); the access matrix, which reads the
rows a body looks up before its work (``khepri_db.access._preconditions``).
Issue 23: this lived in doctor (``doctor/_plpgsql``); ``khepri_db.doctor.bodies`` still re-exports it.

Modules: :mod:`.blocks` (PL/pgSQL's variables, the statement heads, parameters, a body cut at its
semicolons), :mod:`.walker` (the walk through the blocks), :mod:`.embedded` (:func:`embedded_statements`).
"""

from khepri_db.core.plpgsql.blocks import (
    INTO_STOP,
    QUERY_HEADS,
    SKIPPED_HEADS,
    SPECIAL_VARIABLES,
    TRIGGER_VARIABLES,
    Chunk,
    Parameter,
    body_chunks,
    find_word,
    head_word,
)
from khepri_db.core.plpgsql.embedded import BodyAnalysis, EmbeddedStatement, embedded_statements

__all__ = [
    "INTO_STOP",
    "QUERY_HEADS",
    "SKIPPED_HEADS",
    "SPECIAL_VARIABLES",
    "TRIGGER_VARIABLES",
    "BodyAnalysis",
    "Chunk",
    "EmbeddedStatement",
    "Parameter",
    "body_chunks",
    "embedded_statements",
    "find_word",
    "head_word",
]
