"""doctor's reader of SQL and PL/pgSQL function bodies, for the other faces (the access matrix reads the
rows a body looks up: :mod:`khepri_db.access._preconditions`). The reader itself is
:mod:`khepri_db.doctor._plpgsql`; these are the names it offers outside doctor."""

from khepri_db.doctor._plpgsql import BodyAnalysis, EmbeddedStatement, Parameter, embedded_statements

__all__ = ["BodyAnalysis", "EmbeddedStatement", "Parameter", "embedded_statements"]
