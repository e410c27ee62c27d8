"""The body reader's names as doctor offered them to the other faces. The reader of SQL and PL/pgSQL
function bodies now lives in :mod:`khepri_db.core.plpgsql` (issue 23: every face shares it); import it
from there. This module only re-exports it, so old imports keep working."""

from khepri_db.core.plpgsql import BodyAnalysis, EmbeddedStatement, Parameter, embedded_statements

__all__ = ["BodyAnalysis", "EmbeddedStatement", "Parameter", "embedded_statements"]
