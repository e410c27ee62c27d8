"""Deprecated: the old name of :mod:`khepri_db.access` (and, for the pytest plugin and the pg_cron/pg_net
helpers, of :mod:`khepri_db.testing`), kept for one release. Every module here warns
(``DeprecationWarning``) when imported and answers its names from the new module.
"""

from khepri_db.policy._alias import deprecated_alias

__getattr__ = deprecated_alias(__name__, "khepri_db.access")
