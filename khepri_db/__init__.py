"""khepri-db: Supabase-native schema, migrations, diagnostics and policy tests.

The public API is re-exported here; modules and names starting with ``_`` are private.

* engines: :class:`EmbeddedEngine` (default), :class:`UrlEngine`, :func:`resolve_engine`
* migrations: :func:`migrate`, :func:`migration_status`
* doctor: :func:`run_doctor`, :class:`Finding`, :class:`DoctorReport`
* request context: :func:`as_user`, :func:`as_anon`, :func:`as_service_role`, :func:`create_user`
* errors: :class:`KhepriError` and its subclasses in :mod:`khepri_db.errors`
"""

__version__ = "0.1.0"

from khepri_db.compat import TargetInfo, TargetKind
from khepri_db.doctor import DoctorReport, Finding, run_doctor
from khepri_db.engines import EmbeddedEngine, Engine, EngineStatus, UrlEngine, resolve_engine
from khepri_db.errors import (
    ConnectionFailedError,
    KhepriError,
    MigrationError,
    RoleSwitchError,
    UsageError,
)
from khepri_db.migrations import MigrateResult, MigrationStatus, migrate, migration_status
from khepri_db.session import AuthUser, as_anon, as_service_role, as_user, create_user

__all__ = [
    "AuthUser",
    "ConnectionFailedError",
    "DoctorReport",
    "EmbeddedEngine",
    "Engine",
    "EngineStatus",
    "Finding",
    "KhepriError",
    "MigrateResult",
    "MigrationError",
    "MigrationStatus",
    "RoleSwitchError",
    "TargetInfo",
    "TargetKind",
    "UrlEngine",
    "UsageError",
    "__version__",
    "as_anon",
    "as_service_role",
    "as_user",
    "create_user",
    "migrate",
    "migration_status",
    "resolve_engine",
    "run_doctor",
]
