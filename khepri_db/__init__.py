"""khepri-db: Supabase-native schema, migrations, diagnostics and policy tests.

The public API is re-exported here; modules and names starting with ``_`` are private.

* engines: :class:`EmbeddedEngine` (default), :class:`SystemEngine`, :class:`DockerEngine`,
  :class:`UrlEngine`, :func:`resolve_engine`
* migrations: :func:`migrate`, :func:`migration_status`, :func:`seed`
* doctor: :func:`run_doctor`, :class:`Finding`, :class:`DoctorReport`
* request context: :func:`as_user`, :func:`as_anon`, :func:`as_service_role`, :func:`create_user`
* access matrix: :func:`verify_access`, :func:`load_declaration`, :class:`AccessReport`
* RPC client: :class:`KhepriClient` with :class:`PsycopgTransport` or :class:`SupabaseTransport`
* errors: :class:`KhepriError` and its subclasses in :mod:`khepri_db.errors`
"""

__version__ = "0.1.0"

from khepri_db.access import AccessDeclarationError, AccessReport, load_declaration, verify_access
from khepri_db.compat import TargetInfo, TargetKind
from khepri_db.doctor import DoctorConfig, DoctorReport, Finding, run_doctor
from khepri_db.engines import (
    ClusterEngine,
    DockerEngine,
    EmbeddedEngine,
    Engine,
    EngineStatus,
    SystemEngine,
    UrlEngine,
    resolve_engine,
)
from khepri_db.errors import (
    ConnectionFailedError,
    KhepriError,
    MigrationError,
    RoleSwitchError,
    RpcError,
    UsageError,
)
from khepri_db.migrations import MigrateResult, MigrationStatus, migrate, migration_status, seed
from khepri_db.rpc import KhepriClient, PsycopgTransport, SupabaseTransport
from khepri_db.session import AuthUser, as_anon, as_service_role, as_user, create_user

__all__ = [
    "AccessDeclarationError",
    "AccessReport",
    "AuthUser",
    "ClusterEngine",
    "ConnectionFailedError",
    "DockerEngine",
    "DoctorConfig",
    "DoctorReport",
    "EmbeddedEngine",
    "Engine",
    "EngineStatus",
    "Finding",
    "KhepriClient",
    "KhepriError",
    "MigrateResult",
    "MigrationError",
    "MigrationStatus",
    "PsycopgTransport",
    "RoleSwitchError",
    "RpcError",
    "SupabaseTransport",
    "SystemEngine",
    "TargetInfo",
    "TargetKind",
    "UrlEngine",
    "UsageError",
    "__version__",
    "as_anon",
    "as_service_role",
    "as_user",
    "create_user",
    "load_declaration",
    "migrate",
    "migration_status",
    "resolve_engine",
    "run_doctor",
    "seed",
    "verify_access",
]
