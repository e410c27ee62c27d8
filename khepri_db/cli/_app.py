"""The root ``khepri-db`` app and its callback (``--version``). Each command group registers itself
on ``app`` from its own module (see :data:`khepri_db.cli.COMMAND_MODULES`)."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_db import __version__
from khepri_db.cli.common import KhepriTyper, out

app = KhepriTyper(
    name="khepri-db",
    help="Supabase-native migrations, diagnostics and policy tests, on an embedded PostgreSQL by default.\n\n"
    "Exit codes: 0 fine, 1 findings/failures, 2 usage or connection error.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        out.print(f"khepri-db {__version__}")
        raise typer.Exit


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """khepri-db: Supabase-native schema, migrations, diagnostics and policy tests."""
