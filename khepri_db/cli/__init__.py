"""The ``khepri-db`` command line (typer + rich).

Exit codes: 0 = fine; 1 = findings, drift, pending migrations or a failed migration; 2 = usage,
configuration or connection error. Every command that talks to a database takes ``--db-url``
(env ``KHEPRI_DB_URL``); without it the embedded engine in ``--data-dir`` (env
``KHEPRI_DATA_DIR``, default ``<project>/.khepri/pgdata``) is used and started if needed. Every
command takes ``--format text|json``; progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import sys

from khepri_db import __version__


def main() -> None:
    """Console-script entry point (``khepri-db``).

    ``khepri-db --version`` answers before typer, rich or any face is imported, so it starts as fast
    as ``python -c "import psycopg"``; every other command loads only its own command group's module.
    """
    if sys.argv[1:] in (["--version"],):
        sys.stdout.write(f"khepri-db {__version__}\n")
        return
    from khepri_db.cli import migrate, doctor, access, gen, db, demo  # noqa: F401, I001  (registers commands, in help order)
    from khepri_db.cli._app import app

    app()


if __name__ == "__main__":
    main()
