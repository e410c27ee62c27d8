"""What doctor needs to know about SQL and PL/pgSQL function bodies, read with sqlparse's lexer.

Two analyses, both on token streams (nothing here tokenizes SQL by hand):

* :func:`embedded_statements` turns a body into the SQL statements and expressions PL/pgSQL would
  hand to the SQL parser at run time, each made standalone: variables and parameters become typed
  ``NULL`` s and ``INTO`` targets are dropped. doctor then asks Postgres to *plan* each one
  (``EXPLAIN``, never executed), so a table or column that does not exist is reported by Postgres's
  own parser, not guessed.
* :func:`identity_arguments` finds the parameters that carry a caller-supplied user/athlete id
  (``p_user_id``, ``athlete_id``, ...) and whether the body ever compares them with the caller's
  identity (``auth.uid()``, or a value derived from it).

PL/pgSQL's block structure (``DECLARE``/``BEGIN``/``IF``/``LOOP``/``EXCEPTION``...) is followed
only as far as needed to find where each embedded statement or expression starts and ends.

Modules: :mod:`.blocks` (what both analyses share), :mod:`.embedded`, :mod:`.identity`.
"""

from khepri_db.doctor._plpgsql.blocks import SPECIAL_VARIABLES, TRIGGER_VARIABLES, Parameter
from khepri_db.doctor._plpgsql.embedded import BodyAnalysis, EmbeddedStatement, embedded_statements
from khepri_db.doctor._plpgsql.identity import (
    HelperIndex,
    IdentityArgument,
    helper_index,
    identity_arguments,
    normalised_parameter_name,
)

__all__ = [
    "SPECIAL_VARIABLES",
    "TRIGGER_VARIABLES",
    "BodyAnalysis",
    "EmbeddedStatement",
    "HelperIndex",
    "IdentityArgument",
    "Parameter",
    "embedded_statements",
    "helper_index",
    "identity_arguments",
    "normalised_parameter_name",
]
