"""What the ``khepri-db`` command modules share: consoles, the typer classes, options, output
formats, JSON output, error handling and the target URL. The root app is in ``_app.py``; each
command group in a module of its own, named after it."""

from __future__ import annotations

import functools
import inspect
import json
import os
import re
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import psycopg
import typer
import typer.core
from rich.console import Console, ConsoleDimensions
from rich.markup import escape

from khepri_db.core.errors import KhepriError, UsageError

NO_WRAP_WIDTH = 100_000
"""Width a console assumes when it does not write to a terminal: wide enough never to wrap."""


class KhepriConsole(Console):
    """A Rich console that never wraps when it does not write to a terminal (CI logs, pipes, files):
    a message or a table row stays on one line, so grep finds a path whole. On a terminal it wraps
    at the terminal's width as usual. ``soft_wrap`` is on: text lines are never cut. Whether the
    output is a terminal is asked of the file itself, so ``FORCE_COLOR`` (common in CI) adds colour
    but never wrapping."""

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        try:
            terminal = self.file.isatty()
        except (AttributeError, ValueError):
            terminal = False
        return size if terminal else ConsoleDimensions(NO_WRAP_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


out = KhepriConsole(highlight=False, soft_wrap=True)
err = KhepriConsole(stderr=True, highlight=False, soft_wrap=True)


def _reflowed(text: str | None) -> str | None:
    """``text`` with the line breaks inside each paragraph removed, so Rich wraps it at the terminal's
    width rather than where the docstring's source lines end (typer 0.29 keeps them, leaving ragged
    lines). Paragraphs that are laid out on purpose keep their breaks: one starting with ``\b``
    (click's marker), a list (a line starting with ``-``, ``*`` or ``1.``) or an indented block."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    kept = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        laid_out = (
            paragraph.startswith("\b")
            or any(re.match(r"\s|[-*] |\d+\. ", line) for line in lines[1:])
            or re.match(r"[-*] |\d+\. ", lines[0])
        )
        kept.append(paragraph if laid_out else " ".join(line.strip() for line in lines))
    return "\n\n".join(kept)


class _FlagsWithoutType:
    """Mixin for typer's command classes: a flag (``--dry-run``, ``--help``) takes no value, so its help
    row leaves the type column empty instead of showing ``<bool>`` (typer 0.29 shows one); and the
    command's help text is reflowed (:func:`_reflowed`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _reflowed(self.help)  # type: ignore[has-type]

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and getattr(param, "metavar", None) is None:
                param.metavar = ""
        return params


class _Command(_FlagsWithoutType, typer.core.TyperCommand):
    """A ``khepri-db`` command: typer's, with flags shown without a type."""


class _Group(_FlagsWithoutType, typer.core.TyperGroup):
    """A ``khepri-db`` command group: typer's, with flags shown without a type."""


class KhepriTyper(typer.Typer):
    """``typer.Typer`` whose groups and commands show flags without a type (see ``_FlagsWithoutType``).

    Arguments are typer's; ``cls`` defaults to the classes above.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cls", _Group)
        super().__init__(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


class OutputFormat(StrEnum):
    """Output formats every command supports."""

    text = "text"
    json = "json"


class FailOn(StrEnum):
    """Lowest finding level that makes ``doctor`` exit 1."""

    error = "error"
    warn = "warn"
    info = "info"


DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        envvar="KHEPRI_DB_URL",
        help="Target database URL (plain Postgres, `supabase start` at "
        "postgresql://postgres:postgres@127.0.0.1:54322/postgres, or hosted Supabase). "
        "Default: the embedded server.",
        show_default=False,
    ),
]
Linked = Annotated[
    bool,
    typer.Option(
        "--linked",
        help="Target the hosted project this directory is linked to with `supabase link`, as the Supabase CLI's "
        "--linked: ref from supabase/.temp/project-ref (or SUPABASE_PROJECT_ID), password from "
        "SUPABASE_DB_PASSWORD (asked for on a terminal), user postgres at db.<ref>.supabase.co:5432; when that "
        "host cannot be reached (it is IPv6-only), the session pooler of supabase/.temp/pooler-url on port 5432. "
        "Not with --db-url. See docs/hosted.md.",
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="KHEPRI_DATA_DIR",
        help="Cluster directory of the embedded server. Default: <project>/.khepri/pgdata.",
        show_default=False,
    ),
]
MigrationsDir = Annotated[
    Path | None,
    typer.Option(
        "--migrations-dir",
        help="Migrations directory. Default: supabase/migrations of the project (the nearest directory "
        "upwards holding supabase/).",
        show_default=False,
    ),
]
KhepriSchema = Annotated[
    bool,
    typer.Option(
        "--khepri-schema",
        help="Use the Khepri schema bundled with khepri-db (its migrations, seed and access matrix) "
        "instead of a project's. Never the default: outside a project, commands that need migrations stop.",
    ),
]
Format = Annotated[OutputFormat, typer.Option("--format", help="Output format: text for people, json for CI.")]


class ServerEngine(StrEnum):
    """Engines the ``db`` commands manage and other commands start when needed."""

    embedded = "embedded"
    system = "system"
    docker = "docker"


EngineOption = Annotated[
    ServerEngine,
    typer.Option(
        "--engine",
        envvar="KHEPRI_ENGINE",
        help="embedded: the PostgreSQL 18 shipped with khepri-db (data in <project>/.khepri/pgdata). "
        "system: the PostgreSQL installed on this machine, found via PG_BIN, pg_config or PATH "
        "(data in <project>/.khepri/pgdata-system), e.g. Debian's PostgreSQL 15. "
        "docker: a container on 127.0.0.1 (host network) of --image / KHEPRI_DOCKER_IMAGE, default "
        "Supabase's own Postgres for [db] major_version; recorded in <project>/.khepri/docker.",
    ),
]
TargetEngine = Annotated[
    ServerEngine | None,
    typer.Option(
        "--engine",
        envvar="KHEPRI_ENGINE",
        help="Without --db-url, the server to use (started if it is not running): embedded (default), system "
        "or docker (see `khepri-db db start --help`).",
        show_default=False,
    ),
]
ImageOption = Annotated[
    str | None,
    typer.Option(
        "--image",
        envvar="KHEPRI_DOCKER_IMAGE",
        help="The docker engine's image. Default: supabase/postgres for the project's [db] major_version. "
        "Any other PostgreSQL image (e.g. one built by tests/docker/build_image.sh) gets khepri-db's "
        "extension stand-ins; migrate then installs the compatibility layer.",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


JSON_CHUNKS = 8192
"""Pieces of encoded JSON written to stdout at a time by :func:`print_json`."""


def print_json(data: Any) -> None:
    """Write ``data`` to stdout as ``json.dumps(data, indent=2, default=str)`` plus a newline, encoded
    piece by piece and written :data:`JSON_CHUNKS` pieces at a time: never the whole text, nor the
    list of its pieces ``json.dumps`` joins (~2 million strings for verify-access's 52,236 cells on
    3,000 tables)."""
    pieces: list[str] = []
    for piece in json.JSONEncoder(indent=2, default=str).iterencode(data):
        pieces.append(piece)
        if len(pieces) >= JSON_CHUNKS:
            sys.stdout.write("".join(pieces))
            pieces.clear()
    pieces.append("\n")
    sys.stdout.write("".join(pieces))


CONNECTION_ENDED_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "57P04", "57P05"})
"""admin_shutdown, crash_shutdown, cannot_connect_now, database_dropped, idle_session_timeout."""


def connection_lost(exc: psycopg.Error) -> bool:
    """Whether ``exc`` means the connection is gone, not that a statement failed: an
    ``OperationalError`` with no SQLSTATE (the socket closed) or of class 08 (connection
    exception), or one of :data:`CONNECTION_ENDED_SQLSTATES` (the server ended the session). Such
    errors exit 2, as connection errors do; a statement's error exits 1."""
    sqlstate = exc.diag.sqlstate if exc.diag is not None else None
    if sqlstate is None:
        return isinstance(exc, psycopg.OperationalError)
    return sqlstate.startswith("08") or sqlstate in CONNECTION_ENDED_SQLSTATES


def handles_errors(func: F) -> F:
    """Decorate a command: a :class:`KhepriError` becomes a clear message (or JSON ``{"error": ...}``
    with ``--format json``) and its exit code; a ``psycopg.Error`` exits 1, or 2 when the connection
    was lost (:func:`connection_lost`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KhepriError as exc:
            if kwargs.get("output") is OutputFormat.json:
                print_json({"error": exc.to_dict()})
            else:
                err.print(f"[bold red]error:[/bold red] {escape(exc.message)}", markup=True)
                if exc.hint:
                    err.print(f"[bold]hint:[/bold] {escape(exc.hint)}")
            raise typer.Exit(exc.exit_code) from None
        except psycopg.Error as exc:
            diag = exc.diag
            message = diag.message_primary or str(exc).strip()
            lost = connection_lost(exc)
            if kwargs.get("output") is OutputFormat.json:
                print_json({"error": {"type": type(exc).__name__, "message": message, "sqlstate": diag.sqlstate,
                                       "detail": diag.message_detail, "hint": diag.message_hint,
                                       "connection_lost": lost}})  # fmt: skip
            else:
                label = "the connection to the database was lost" if lost else "database error"
                err.print(f"[bold red]{label}:[/bold red] {escape(f'{message} [SQLSTATE {diag.sqlstate}]')}")
                for label, text in (("detail", diag.message_detail), ("hint", diag.message_hint)):
                    if text:
                        err.print(f"[bold]{label}:[/bold] {escape(text)}")
                if lost:
                    err.print(
                        "[bold]hint:[/bold] the server ended the session (a `db reset`, `db stop`, restart or "
                        "pg_terminate_backend); what had committed stays, the statement it was running did not"
                    )
            raise typer.Exit(2 if lost else 1) from None

    return wrapper  # type: ignore[return-value]


def progress_for(output: OutputFormat) -> Callable[[str], None]:
    """A function that prints one progress message, dimmed, to stderr with ``--format text``, and
    drops it with ``--format json`` (stdout then holds only the JSON)."""

    def say(message: str) -> None:
        err.print(f"[dim]{escape(message)}[/dim]")

    return say if output is OutputFormat.text else (lambda _m: None)


def given_url(db_url: str | None, linked: bool, output: OutputFormat) -> str | None:
    """The URL the options name: ``--db-url`` (or ``KHEPRI_DB_URL``), or with ``--linked`` the linked
    project's (:func:`khepri_db.core.hosted.linked_url`, as the Supabase CLI's ``--linked``); ``None``
    when neither is given (a server of khepri-db's is used then).

    The project is the one the other commands find (``Project.discover()``). Without
    ``SUPABASE_DB_PASSWORD`` the password is asked for when stdin is a terminal, never otherwise.

    Raises:
        UsageError: ``--linked`` with ``--db-url`` on the command line (``--linked`` wins over
            ``KHEPRI_DB_URL``); the project is not linked; no password.
        ConnectionFailedError: the linked project cannot be reached (no IPv6 and no pooler URL).
    """
    if not linked:
        return db_url
    # KHEPRI_DB_URL set in the environment gives way to the flag; --db-url on the command line is a conflict.
    if db_url and db_url != os.environ.get("KHEPRI_DB_URL"):
        raise UsageError("--linked and --db-url name two targets: pass one of them")
    from khepri_db.core.hosted import PASSWORD_ENV, linked_url
    from khepri_db.core.project import Project

    password = os.environ.get(PASSWORD_ENV) or None
    if password is None and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Enter your database password: ", stream=sys.stderr) or None
    target = linked_url(Project.discover().root, password=password)
    if target.reason:
        progress_for(output)(f"connecting to linked project {target.ref} through its session pooler: {target.reason}")
    return target.url


def target_url(
    db_url: str | None,
    data_dir: Path | None,
    output: OutputFormat,
    engine_name: ServerEngine | None = None,
    *,
    linked: bool = False,
) -> str:
    """The URL to work on: ``--db-url``, the linked project's with ``--linked`` (:func:`given_url`),
    or the server of ``--engine`` (``KHEPRI_ENGINE``; default the embedded one), started if it is
    not running."""
    db_url = given_url(db_url, linked, output)
    if db_url:
        return db_url
    from khepri_db.engines import resolve_engine  # not needed with --db-url

    name = engine_name.value if engine_name is not None else "embedded"  # --engine reads KHEPRI_ENGINE
    engine = resolve_engine(None, data_dir, log=progress_for(output), engine=name)
    if not engine.status().running and output is OutputFormat.text:
        if name == "docker":
            image = getattr(engine, "image", "")
            message = f"starting a {image} container (stop it with `khepri-db db stop --engine docker`)"
        else:
            message = (
                f"starting the {name} server in {getattr(engine, 'data_dir', '')} (stop it with `khepri-db db stop`)"
            )
        err.print(f"[dim]{escape(message)}[/dim]")
    return engine.start()


def escaped(text: object) -> str:
    """``str(text)`` with Rich markup escaped, to print a path or a name as it is."""
    return escape(str(text))


def split_csv(values: list[str] | None) -> list[str]:
    """The values of a repeatable, comma-separated option (``--only a,b --only c``): ``["a", "b",
    "c"]``, blanks dropped; ``[]`` for ``None``."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


class DoctorFormat(StrEnum):
    """Output formats of ``doctor``: the two every command has, plus SARIF 2.1.0 for GitHub code scanning."""

    text = "text"
    json = "json"
    sarif = "sarif"


_API_SCHEMAS_DEFAULT = "Default: supabase/config.toml \\[api] schemas, else pgrst.db_schemas, else public."


def exposed_schemas_option(what: str) -> Any:
    """The ``--exposed-schemas`` option (comma-separated or repeated), its help starting with ``what``.

    Returns:
        An ``Annotated[list[str] | None, typer.Option]`` to use as a command parameter's annotation.
    """
    return Annotated[
        list[str] | None,
        typer.Option("--exposed-schemas", help=f"{what} (comma-separated or repeated). {_API_SCHEMAS_DEFAULT}"),
    ]


def access_file_option(what: str) -> Any:
    """The ``--access-file`` option, its help starting with ``what`` (default: supabase/access.toml).

    Returns:
        An ``Annotated[Path | None, typer.Option]`` to use as a command parameter's annotation.
    """
    return Annotated[
        Path | None,
        typer.Option(
            "--access-file",
            help=f"{what}. Default: supabase/access.toml of the project (see docs/access.md).",
            show_default=False,
        ),
    ]
