"""Which local clusters khepri-db has started, so ``db list`` and ``db stop --all`` find them all.

Every cluster the embedded or system engine starts (a project's ``.khepri/pgdata``, a ``--data-dir``,
the pytest plugin's throwaway clusters) leaves one small JSON file in :func:`registry_dir`, named by
a hash of its data directory: no lock is needed, two starts of different clusters never write the
same file. An entry whose data directory no longer holds a cluster (removed by hand, or a test
cluster cleaned up) is dropped the next time the registry is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

REGISTRY_ENV = "KHEPRI_REGISTRY_DIR"


def registry_dir() -> Path:
    """The registry's directory: ``$KHEPRI_REGISTRY_DIR`` when set, else
    ``platformdirs.user_state_dir("khepri-db")/servers`` (``~/.local/state/khepri-db/servers`` on
    Linux). Not created here."""
    override = os.environ.get(REGISTRY_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_state_dir("khepri-db")) / "servers"


@dataclass(frozen=True)
class KnownCluster:
    """One registered cluster.

    Attributes:
        engine: ``"embedded"``, ``"system"`` or ``"docker"`` (a project's container; ``data_dir`` is
            the directory holding its record, ``.khepri/docker``).
        data_dir: the data directory as asked for (``--data-dir`` or the project's default); a
            symbolic link when the cluster lives elsewhere (root in a private home).
        real_dir: where the cluster's files are (``data_dir`` with links resolved).
    """

    engine: str
    data_dir: Path
    real_dir: Path


def _entry_path(data_dir: Path) -> Path:
    return registry_dir() / f"{hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]}.json"


def register(engine: str, data_dir: Path, real_dir: Path) -> None:
    """Record that ``engine`` started the cluster in ``data_dir`` (files in ``real_dir``).

    Written atomically (a temporary file renamed into place). Never raises: a registry that cannot be
    written (read-only home) only means ``db list`` will not show this cluster.
    """
    try:
        directory = registry_dir()
        directory.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"engine": engine, "data_dir": str(data_dir), "real_dir": str(real_dir)})
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".entry-")
        with os.fdopen(fd, "w") as handle:
            handle.write(payload + "\n")
        Path(temporary).replace(_entry_path(data_dir))
    except OSError:
        return


def known_clusters() -> list[KnownCluster]:
    """Every registered cluster whose data directory still holds a cluster (``PG_VERSION``; for docker,
    the container's record), sorted by data directory. Entries of clusters that are gone, and
    unreadable entries, are removed."""
    directory = registry_dir()
    found: dict[Path, KnownCluster] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            data = json.loads(path.read_text())
            entry = KnownCluster(str(data["engine"]), Path(data["data_dir"]), Path(data["real_dir"]))
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if entry.engine == "docker":  # a project's container: recorded while its state file exists
            alive = (entry.data_dir / "engine.json").is_file()
        else:
            alive = (entry.real_dir / "PG_VERSION").is_file()
        if not alive:
            path.unlink(missing_ok=True)
            continue
        found[entry.data_dir] = entry
    return [found[key] for key in sorted(found)]
