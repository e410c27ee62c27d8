"""SQL text handling shared by every face, one job per module:

* :mod:`.splitter`: statements split exactly as the Supabase CLI splits a migration file
  (:func:`split_statements`, :class:`Statement`);
* :mod:`.scan`: scans as PostgreSQL's lexer reads text (:func:`postgres_reads_as_one`,
  :func:`skip_comments`, :func:`leading_words`, :func:`line_at`, :func:`comparable`);
* :mod:`.tokens`: sqlparse's tokens, fast (:func:`significant_tokens`, :class:`Token`,
  :func:`identifier`), and the operands of an expression's top-level ``OR``/``AND``
  (:func:`split_top_level`).

Import the public names from here (``from khepri_db.core.sqltext import split_statements``).
"""

from khepri_db.core.sqltext.scan import comparable, leading_words, line_at, postgres_reads_as_one, skip_comments
from khepri_db.core.sqltext.splitter import Statement, split_chunks, split_statements
from khepri_db.core.sqltext.tokens import (
    Token,
    closing_parenthesis,
    identifier,
    significant_tokens,
    split_top_level,
    unwrapped,
)

__all__ = [
    "Statement",
    "Token",
    "closing_parenthesis",
    "comparable",
    "identifier",
    "leading_words",
    "line_at",
    "postgres_reads_as_one",
    "significant_tokens",
    "skip_comments",
    "split_chunks",
    "split_statements",
    "split_top_level",
    "unwrapped",
]
