"""The ``khepri-db`` command line (typer + rich).

Exit codes: 0 = fine; 1 = findings, drift, pending migrations or a failed migration; 2 = usage,
configuration or connection error. Every command that talks to a database takes ``--db-url``
(env ``KHEPRI_DB_URL``); without it the embedded engine in ``--data-dir`` (env
``KHEPRI_DATA_DIR``, default ``<project>/.khepri/pgdata``) is used and started if needed. Every
command takes ``--format text|json``; progress goes to stderr, results to stdout.

Where a command lives: ``khepri-db <group> ...`` in ``cli/<group>.py`` (``db``, ``cron``,
``migration``, ``access``, ``gen``, ``test``), which creates the group; a top-level command in the
module named after it (``init``, ``doctor``, ``demo``), except two faces whose commands come
together, as the README's CLI reference lists them: ``migrate``, ``seed`` and ``status`` in
``migrate.py``; ``verify-access`` with the ``access`` group in ``access.py``. :data:`COMMAND_MODULES`
maps every name to its module. Underneath: ``_app.py`` holds only the root app and its callback,
``common.py`` what the command modules share (options, consoles, errors, the target URL),
``render.py`` the text output several commands print. No command module imports another.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

from khepri_db import __version__

if TYPE_CHECKING:
    import typer


_GROUP_MODULES = ("migrate", "init", "db", "cron", "migration", "doctor", "access", "gen", "test", "demo")
"""The command modules of ``khepri_db.cli``, each registering its commands on import, in the order
that gives the help's order: typer lists the root's commands (migrate, seed, status, init, doctor,
verify-access, demo) in the order they were registered, then its groups (db, cron, migration,
access, gen, test) in theirs."""

COMMAND_MODULES: dict[str, str] = {
    "migrate": "migrate", "seed": "migrate", "status": "migrate",
    "init": "init",
    "migration": "migration",
    "doctor": "doctor",
    "verify-access": "access", "access": "access",
    "gen": "gen",
    "db": "db",
    "cron": "cron",
    "test": "test",
    "demo": "demo",
}  # fmt: skip
"""Each top-level command (or command group) name -> the module of ``khepri_db.cli`` that registers it
(tests/cli/test_startup.py checks the map against the registered app)."""


def _registered_app(command: str | None = None) -> typer.Typer:
    """The typer app with the command groups registered (their modules imported, in help order).

    Args:
        command: the top-level command about to run (``sys.argv[1]``): when it is one of
            :data:`COMMAND_MODULES`, only its module is imported, so ``khepri-db migrate`` does not
            load the other faces' command modules. ``None`` (help, a typo, shell completion, the
            ``app`` attribute): every group.
    """
    import importlib

    module = COMMAND_MODULES.get(command) if command is not None else None
    for name in (module,) if module is not None else _GROUP_MODULES:
        importlib.import_module(f"khepri_db.cli.{name}")
    from khepri_db.cli._app import app

    return app


def _completing() -> bool:
    """Whether typer is answering a shell's completion request (``_KHEPRI_DB_COMPLETE`` and the like
    set): it lists every command, so every group is loaded."""
    return any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ)


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
    as ``python -c "import psycopg"``; a command loads only its own command group's module
    (:data:`COMMAND_MODULES`), which imports a face only inside the command that needs it; help,
    an unknown command and shell completion load every group. The process ends when the command
    does (:func:`_end_process`): call the typer app (``khepri_db.cli.app``) to run a command
    in-process instead.
    """
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"khepri-db {__version__}\n")
        return
    command = sys.argv[1] if len(sys.argv) > 1 and not _completing() else None
    try:
        _registered_app(command)()
    except SystemExit as exc:
        _end_process(exc.code)
        raise
    _end_process(None)


def _end_process(code: object) -> None:
    """End the process at once, as ``SystemExit(code)`` would end it, skipping the interpreter's
    teardown of every module loaded (psycopg, typer, rich and khepri-db's own: 40-100 ms, more than
    a migration file takes). What an ordinary exit does that matters is done first: the exit
    handlers run (``atexit``: logging's shutdown, ``weakref.finalize`` cleanups such as temporary
    directories) and stdout and stderr are flushed. Returns without doing anything while other
    threads run, so that the caller's ``SystemExit`` joins them as usual.

    Args:
        code: ``SystemExit.code``: ``None`` (0), an exit status, or anything else (printed to
            stderr, status 1), as the interpreter treats it.
    """
    if threading.active_count() > 1:
        return
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        sys.stderr.write(f"{code}\n")
        status = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # e.g. a closed pipe: let the interpreter report it as it always has
    os._exit(status & 0xFF)


if __name__ == "__main__":
    main()
