"""The system engine: the PostgreSQL installed on this machine (``PG_BIN``, ``pg_config``, ``PATH``),
e.g. Debian's PostgreSQL 15.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from khepri_db.core.errors import EngineError
from khepri_db.engines._cluster import ClusterEngine
from khepri_db.engines._host import ServiceAccount
from khepri_db.engines._standins import stage_private_install
from khepri_db.engines.base import Log


def system_bin_dir() -> Path:
    """Return the ``bin`` directory of the PostgreSQL installed on this machine.

    Looked up in order: the ``PG_BIN`` environment variable (a directory holding ``initdb`` and
    ``pg_ctl``), ``pg_config --bindir`` (``pg_config`` on ``PATH``; on Debian/Ubuntu it names the
    newest installed server, e.g. ``/usr/lib/postgresql/15/bin``), then ``initdb`` on ``PATH``.

    Raises:
        EngineError: no PostgreSQL server binaries were found (the message says where it looked).
    """
    looked: list[str] = []
    explicit = os.environ.get("PG_BIN")
    if explicit:
        candidate = Path(explicit).expanduser()
        if (candidate / "pg_ctl").is_file() and (candidate / "initdb").is_file():
            return candidate
        raise EngineError(
            f"PG_BIN={explicit} has no initdb and pg_ctl",
            hint="set PG_BIN to the bin directory of a PostgreSQL server install, or unset it",
        )
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            bindir = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError) as exc:
            looked.append(f"{pg_config} --bindir failed ({exc})")
        else:
            if (Path(bindir) / "pg_ctl").is_file() and (Path(bindir) / "initdb").is_file():
                return Path(bindir)
            looked.append(f"{pg_config} --bindir names {bindir}, which has no initdb/pg_ctl (client-only install?)")
    else:
        looked.append("no pg_config on PATH")
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).parent / "pg_ctl").is_file():
        return Path(initdb).resolve().parent
    looked.append("no initdb on PATH")
    raise EngineError(
        "the system engine found no PostgreSQL server binaries: " + "; ".join(looked),
        hint="install a PostgreSQL server (Debian/Ubuntu: apt-get install postgresql-15) or set PG_BIN "
        "to its bin directory",
    )


class SystemEngine(ClusterEngine):
    """A PostgreSQL cluster run with the PostgreSQL installed on this machine.

    Args:
        data_dir: the cluster directory; one per major version.
        bin_dir: where ``initdb``/``pg_ctl`` are; default: found by :func:`system_bin_dir`.
        port, settings, log: as for :class:`ClusterEngine`.

    Use it to test against the major version your Supabase project runs (``[db] major_version`` in
    ``supabase/config.toml``, 15 for most projects) when the embedded engine's PostgreSQL 18 is
    newer. Debian/Ubuntu: ``apt-get install postgresql-15``; the binaries are found through
    ``pg_config``. A server older than 18 gets khepri-db's extension stand-ins too: it is started
    from a private install tree in the data directory (:func:`stage_private_install`).
    """

    name = "system"

    def __init__(
        self,
        data_dir: Path,
        *,
        bin_dir: Path | None = None,
        port: int | None = None,
        settings: Mapping[str, str] | None = None,
        log: Log | None = None,
    ) -> None:
        super().__init__(data_dir, port=port, settings=settings, log=log)
        self._bin_dir = bin_dir

    def bin_dir(self) -> Path:
        """The explicit ``bin_dir``, else :func:`system_bin_dir`."""
        if self._bin_dir is not None:
            if not (self._bin_dir / "pg_ctl").is_file():
                raise EngineError(
                    f"{self._bin_dir} has no pg_ctl", hint="pass the bin directory of a PostgreSQL server install"
                )
            return self._bin_dir
        return system_bin_dir()

    def _run(
        self, exe: Path, args: list[str], account: ServiceAccount | None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        # Servers older than PostgreSQL 18 get the extension stand-ins through a private install
        # tree (stage_private_install): `pg_ctl start` runs its postgres instead (`-p`).
        if exe.name == "pg_ctl" and args[-1:] == ["start"]:
            server = stage_private_install(self.data_dir, exe.parent, self._native, account)
            if server is not None:
                args = ["-p", str(server), *args]
        return super()._run(exe, args, account, env)
