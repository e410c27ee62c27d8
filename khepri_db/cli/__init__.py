"""The ``khepri-db`` command line (typer + rich).

Exit codes: 0 = fine; 1 = findings, drift, pending migrations or a failed migration; 2 = usage,
configuration or connection error. Every command that talks to a database takes ``--db-url``
(env ``KHEPRI_DB_URL``); without it the embedded engine in ``--data-dir`` (env
``KHEPRI_DATA_DIR``, default ``<project>/.khepri/pgdata``) is used and started if needed. Every
command takes ``--format text|json``; progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from khepri_db import __version__

if TYPE_CHECKING:
    import typer


def _registered_app() -> typer.Typer:
    """The typer app with every command group registered (their modules imported, in help order)."""
    from khepri_db.cli import migrate, doctor, access, gen, db, test, demo  # noqa: F401, I001
    from khepri_db.cli._app import app

    return app


def __getattr__(name: str) -> Any:
    """``khepri_db.cli.app``: the registered typer app, built on first access (PEP 562).

    Raises:
        AttributeError: any other name.
    """
    if name == "app":
        return _registered_app()
    raise AttributeError(f"module 'khepri_db.cli' has no attribute {name!r}")


def main() -> None:
    """Console-script entry point (``khepri-db``).

    ``khepri-db --version`` answers before typer, rich or any face is imported, so it starts as fast
    as ``python -c "import psycopg"``; every other command loads the command groups, whose modules
    import a face only inside the command that needs it.
    """
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"khepri-db {__version__}\n")
        return
    _registered_app()()


if __name__ == "__main__":
    main()
