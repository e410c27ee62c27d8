"""Deprecated: import :mod:`khepri_db.access.session` instead (kept for one release)."""

from khepri_db.policy._alias import deprecated_alias

__getattr__ = deprecated_alias(__name__, "khepri_db.access.session")
