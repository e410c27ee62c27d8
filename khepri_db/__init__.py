"""khepri-db: Supabase-native schema, migrations, diagnostics and policy tests.

The public API is re-exported here and imported on first use (``import khepri_db`` loads no face,
so ``khepri-db --version`` starts as fast as its driver). Subpackages, one per face:

* :mod:`khepri_db.core`: errors (one hierarchy, :class:`KhepriError`), connections, the project layout
* :mod:`khepri_db.engines`: :class:`EmbeddedEngine` (default), :class:`SystemEngine`,
  :class:`DockerEngine`, :class:`UrlEngine`, :func:`resolve_engine`
* :mod:`khepri_db.migrations`: :func:`migrate`, :func:`migration_status`, :func:`seed`, the Supabase
  compatibility layer, the daily workflow (init, db reset, migration new/list/repair), schema dump
* :mod:`khepri_db.doctor`: :func:`run_doctor`, :class:`Finding`, :class:`DoctorReport`
* :mod:`khepri_db.access`: request context (:func:`as_user`, :func:`as_anon`,
  :func:`as_service_role`, :func:`create_user`), the access matrix (:func:`verify_access`,
  :func:`load_declaration`, :class:`AccessReport`) and the pytest plugin
* :mod:`khepri_db.client`: RPC transports (:class:`PsycopgTransport`, :class:`SupabaseTransport`),
  ``gen types`` and the runtime of generated modules
* :mod:`khepri_db.khepri`: the Khepri app itself (:class:`KhepriClient`, its generated types, the demo)
* :mod:`khepri_db.cli`: the ``khepri-db`` command, one module per command group

Modules and names starting with ``_`` are private.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "AccessDeclarationError": "khepri_db.access.declaration",
    "AccessReport": "khepri_db.access.report",
    "load_declaration": "khepri_db.access.declaration",
    "verify_access": "khepri_db.access.probe",
    "TargetInfo": "khepri_db.core.target",
    "TargetKind": "khepri_db.core.target",
    "DoctorConfig": "khepri_db.doctor.config",
    "DoctorReport": "khepri_db.doctor.report",
    "Finding": "khepri_db.doctor.rules",
    "run_doctor": "khepri_db.doctor.run",
    "ClusterEngine": "khepri_db.engines",
    "DockerEngine": "khepri_db.engines",
    "EmbeddedEngine": "khepri_db.engines",
    "Engine": "khepri_db.engines",
    "EngineStatus": "khepri_db.engines",
    "SystemEngine": "khepri_db.engines",
    "UrlEngine": "khepri_db.engines",
    "resolve_engine": "khepri_db.engines",
    "ConnectionFailedError": "khepri_db.core.errors",
    "KhepriError": "khepri_db.core.errors",
    "MigrationError": "khepri_db.core.errors",
    "RoleSwitchError": "khepri_db.core.errors",
    "RpcError": "khepri_db.core.errors",
    "UsageError": "khepri_db.core.errors",
    "MigrateResult": "khepri_db.migrations.result",
    "MigrationStatus": "khepri_db.migrations.status",
    "migrate": "khepri_db.migrations.apply",
    "migration_status": "khepri_db.migrations.status",
    "seed": "khepri_db.migrations.seed",
    "KhepriClient": "khepri_db.khepri.client",
    "PsycopgTransport": "khepri_db.client.transports",
    "SupabaseTransport": "khepri_db.client.transports",
    "AuthUser": "khepri_db.core.session",
    "as_anon": "khepri_db.core.session",
    "as_service_role": "khepri_db.core.session",
    "as_user": "khepri_db.core.session",
    "create_user": "khepri_db.core.session",
}

if TYPE_CHECKING:
    from khepri_db.access.declaration import AccessDeclarationError, load_declaration  # noqa: F401
    from khepri_db.access.probe import verify_access  # noqa: F401
    from khepri_db.access.report import AccessReport  # noqa: F401
    from khepri_db.client.transports import PsycopgTransport, SupabaseTransport  # noqa: F401
    from khepri_db.core.errors import (  # noqa: F401
        ConnectionFailedError,
        KhepriError,
        MigrationError,
        RoleSwitchError,
        RpcError,
        UsageError,
    )
    from khepri_db.core.session import AuthUser, as_anon, as_service_role, as_user, create_user  # noqa: F401
    from khepri_db.core.target import TargetInfo, TargetKind  # noqa: F401
    from khepri_db.doctor.config import DoctorConfig  # noqa: F401
    from khepri_db.doctor.report import DoctorReport  # noqa: F401
    from khepri_db.doctor.rules import Finding  # noqa: F401
    from khepri_db.doctor.run import run_doctor  # noqa: F401
    from khepri_db.engines import (  # noqa: F401
        ClusterEngine,
        DockerEngine,
        EmbeddedEngine,
        Engine,
        EngineStatus,
        SystemEngine,
        UrlEngine,
        resolve_engine,
    )
    from khepri_db.khepri.client import KhepriClient  # noqa: F401
    from khepri_db.migrations.apply import migrate  # noqa: F401
    from khepri_db.migrations.result import MigrateResult  # noqa: F401
    from khepri_db.migrations.seed import seed  # noqa: F401
    from khepri_db.migrations.status import MigrationStatus, migration_status  # noqa: F401


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562).

    Raises:
        AttributeError: ``name`` is not part of the public API.
    """
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'khepri_db' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = ["__version__", *sorted(_EXPORTS)]
