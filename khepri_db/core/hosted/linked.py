"""``--linked``: the database of the project ``supabase link`` linked this directory to, chosen as the
Supabase CLI's ``--linked`` chooses it (:func:`read_linked_project`, :func:`linked_url`).

The facts come from supabase/cli (``apps/cli-go/internal/utils/flags/db_url.go``,
``flags/project_ref.go``, ``internal/utils/connect.go``, ``internal/link/link.go``,
``pkg/config/config.go``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from khepri_db.core.errors import ConnectionFailedError, UsageError
from khepri_db.core.hosted.supabase import (
    DIRECT_PORT,
    POOLER_DOMAIN,
    PROJECT_REF_PATTERN,
    options_reference,
    session_port,
    split_pooler_user,
)
from khepri_db.core.hosted.urls import ipv6_only_addresses, is_loopback_host, parse_url, with_port

PROJECT_REF_FILE = Path("supabase", ".temp", "project-ref")
"""Where ``supabase link`` records the linked project's ref, relative to the project directory."""
POOLER_URL_FILE = Path("supabase", ".temp", "pooler-url")
"""Where ``supabase link`` records the project's pooler URL (its password placeholder removed)."""
PASSWORD_ENV = "SUPABASE_DB_PASSWORD"  # noqa: S105 (a variable name, not a password)
"""The environment variable the Supabase CLI reads the linked database's password from."""
PROJECT_ID_ENV = "SUPABASE_PROJECT_ID"
"""The environment variable that, for the Supabase CLI, names the project ref before the ref file does."""
PROBE_TIMEOUT_S = 5.0
"""How long ``--linked`` waits for the direct host to accept a TCP connection (the Supabase CLI waits 5 s)."""
PASSWORD_PLACEHOLDER = "[YOUR-PASSWORD]"  # noqa: S105 (the placeholder supabase link strips)
"""The placeholder ``supabase link`` leaves in ``supabase/.temp/pooler-url`` instead of the password."""


@dataclass(frozen=True)
class LinkedProject:
    """What ``supabase link`` left in a project directory.

    Attributes:
        root: the project directory (holding ``supabase/``).
        ref: the project ref (``SUPABASE_PROJECT_ID``, else ``supabase/.temp/project-ref``).
        ref_source: where the ref came from, for messages.
        pooler_url: the text of ``supabase/.temp/pooler-url`` without the ``[YOUR-PASSWORD]``
            placeholder, or ``None`` when there is no such file (``supabase link --skip-pooler``,
            or a CLI that predates it).
    """

    root: Path
    ref: str
    ref_source: str
    pooler_url: str | None

    @property
    def direct_host(self) -> str:
        """``db.<ref>.supabase.co``: the project's direct connection host."""
        return f"db.{self.ref}.supabase.co"


def read_linked_project(root: Path, environ: Mapping[str, str] | None = None) -> LinkedProject:
    """Read the link of the project at ``root``, as the Supabase CLI's ``LoadProjectRef`` reads it.

    The ref is ``SUPABASE_PROJECT_ID`` when set, else the content of ``supabase/.temp/project-ref``
    (whitespace trimmed), and must be 20 lower-case letters (supabase/cli
    ``internal/utils/flags/project_ref.go``, ``internal/utils/misc.go``). ``supabase/.temp/pooler-url``
    is read as the CLI's config loader reads it (``pkg/config/config.go``).

    Args:
        root: the project directory (``Project.discover().root``).
        environ: the environment (default ``os.environ``).

    Returns:
        The :class:`LinkedProject`.

    Raises:
        UsageError: the project is not linked (no ref file and no ``SUPABASE_PROJECT_ID``), or the
            ref is not a project ref; the message names the file or variable.
    """
    env = os.environ if environ is None else environ
    ref_file = root / PROJECT_REF_FILE
    if env.get(PROJECT_ID_ENV):
        ref, source = env[PROJECT_ID_ENV].strip(), PROJECT_ID_ENV
    else:
        try:
            ref = ref_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise UsageError(
                f"--linked: this project is not linked to a Supabase project: {ref_file} does not exist "
                f"(and {PROJECT_ID_ENV} is not set)",
                hint="run `supabase link --project-ref <ref>` in the project (it writes supabase/.temp/project-ref "
                f"and supabase/.temp/pooler-url), set {PROJECT_ID_ENV}, or pass the URL with --db-url",
            ) from None
        except OSError as exc:
            raise UsageError(f"--linked: cannot read {ref_file}: {exc.strerror or exc}") from exc
        source = str(ref_file)
    if not PROJECT_REF_PATTERN.fullmatch(ref):
        raise UsageError(
            f"--linked: {source} holds {ref!r}, which is not a project ref (20 lower-case letters, "
            "e.g. abcdefghijklmnopqrst)",
            hint="run `supabase link --project-ref <ref>` again",
        )
    pooler_file = root / POOLER_URL_FILE
    try:
        text = pooler_file.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    pooler = text.replace(f":{PASSWORD_PLACEHOLDER}", "").replace(PASSWORD_PLACEHOLDER, "") or None
    return LinkedProject(root, ref, source, pooler)


@dataclass(frozen=True)
class LinkedTarget:
    """The database ``--linked`` connects to.

    Attributes:
        url: the URL, with the password (never print it: use ``core.db.redact``).
        ref: the project ref.
        route: ``"direct"`` (``db.<ref>.supabase.co:5432``) or ``"session pooler"`` (the pooler of
            ``supabase/.temp/pooler-url``, on port 5432).
        reason: why the session pooler was used (the direct host was unreachable), else ``None``.
    """

    url: str
    ref: str
    route: Literal["direct", "session pooler"]
    reason: str | None = None


def reachable(host: str, port: int, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """True when a TCP connection to ``host:port`` opens within ``timeout`` seconds (then closed at once)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except (OSError, UnicodeError):
        return False


def _pooler_problem(pooler_url: str, ref: str) -> str | None:
    """Why the linked project's pooler URL cannot be used, or ``None`` when it can.

    As the Supabase CLI checks it (``internal/utils/connect.go`` ``GetPoolerConfig``): its user
    (``postgres.<ref>``) or Supavisor ``reference`` option must name the linked project, and its host
    must be Supabase's pooler domain (``supabase.com``, so the password goes nowhere else). khepri-db
    also accepts a loopback host: the password then stays on this machine (a tunnel, or the tests).
    """
    parsed = parse_url(pooler_url)
    if parsed is None or len(parsed.host_names) != 1:
        return f"{POOLER_URL_FILE} is not a single-host postgresql:// URL"
    user = parsed.user_name or ""
    _, user_ref = split_pooler_user(user)
    named = user_ref or options_reference(parsed.params)
    if named is not None and named != ref:
        return f"{POOLER_URL_FILE} is for project {named}, not {ref}"
    host = parsed.host_names[0].lower()
    if not (host == POOLER_DOMAIN or host.endswith("." + POOLER_DOMAIN) or is_loopback_host(host)):
        return f"{POOLER_URL_FILE} names host {host}, which is not Supabase's pooler domain ({POOLER_DOMAIN})"
    return None


def _pooler_session_url(pooler_url: str, password: str) -> str:
    """The linked pooler URL in session mode (port 6543 becomes 5432) with ``password`` set."""
    parsed = parse_url(pooler_url)
    assert parsed is not None
    host = parsed.host_names[0]
    shown = f"[{host}]" if ":" in host else quote(host, safe="")
    user = quote(parsed.user_name or "postgres", safe="")
    query = {k: v for k, v in parsed.params.items() if k not in ("host", "port", "user", "password", "dbname")}
    rest = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query.items())
    dbname = quote(parsed.dbname or "postgres", safe="")
    return f"postgresql://{user}:{quote(password, safe='')}@{shown}:{session_port(parsed.port)}/{dbname}" + (
        f"?{rest}" if rest else ""
    )


def linked_url(
    root: Path,
    *,
    password: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> LinkedTarget:
    """The database of the linked project, chosen as the Supabase CLI's ``--linked`` chooses it.

    Mirrors supabase/cli ``apps/cli-go/internal/utils/flags/db_url.go`` (``ParseDatabaseConfig``,
    ``NewDbConfigWithPassword``) with ``internal/utils/connect.go`` (``GetPoolerConfig``):

    1. the ref of :func:`read_linked_project`;
    2. the direct connection: user ``postgres``, database ``postgres``, host ``db.<ref>.supabase.co``,
       port 5432, password ``SUPABASE_DB_PASSWORD``;
    3. when a TCP connection to that host does not open within 5 seconds (on a network without
       IPv6 it never does), the pooler URL of ``supabase/.temp/pooler-url`` in session mode (port
       5432: Supavisor's transaction mode has no prepared statements), with the same password. The
       CLI sets port 5432 whatever the file says; khepri-db turns 6543 into 5432 and keeps any other
       port (a tunnel's, or the tests' local server);
    4. without a usable pooler URL, an error saying the direct host is unreachable.

    Unlike the Supabase CLI, khepri-db never creates a temporary login role through the
    Management API when the password is missing: it needs no access token, and says what to set.

    Args:
        root: the project directory.
        password: the database password; default ``SUPABASE_DB_PASSWORD`` of ``environ``.
        environ: the environment (default ``os.environ``).

    Returns:
        The :class:`LinkedTarget`.

    Raises:
        UsageError: not linked, a bad ref, or no password (the message names
            ``supabase/.temp/project-ref`` or ``SUPABASE_DB_PASSWORD``).
        ConnectionFailedError: the direct host cannot be reached and there is no usable pooler URL.
    """
    env = os.environ if environ is None else environ
    project = read_linked_project(root, env)
    secret = password if password is not None else env.get(PASSWORD_ENV)
    if not secret:
        raise UsageError(
            f"--linked needs the database password of project {project.ref}: {PASSWORD_ENV} is not set",
            hint=f"export {PASSWORD_ENV}=... (Dashboard > Project Settings > Database; reset it there if lost)",
        )
    host = project.direct_host
    if reachable(host, DIRECT_PORT):
        url = f"postgresql://postgres:{quote(secret, safe='')}@{host}:{DIRECT_PORT}/postgres"
        return LinkedTarget(url, project.ref, "direct")
    v6 = ipv6_only_addresses(host, DIRECT_PORT)
    why = (
        f"{host} has only IPv6 addresses ({', '.join(v6)}) and this network does not reach them"
        if v6
        else f"{host}:{DIRECT_PORT} does not accept connections from here"
    )
    problem = (
        f"there is no {POOLER_URL_FILE} (run `supabase link` without --skip-pooler)"
        if project.pooler_url is None
        else _pooler_problem(project.pooler_url, project.ref)
    )
    if problem is None:
        assert project.pooler_url is not None
        return LinkedTarget(_pooler_session_url(project.pooler_url, secret), project.ref, "session pooler", why)
    raise ConnectionFailedError(
        f"--linked: cannot reach project {project.ref}: {why}, and {problem}"
        + ("; IPv6 is not supported on this network" if v6 else ""),
        hint=f"run `supabase link --project-ref {project.ref}` again (it records the pooler URL), or pass the "
        "session pooler URL from Dashboard > Connect > Session pooler with --db-url "
        f"(postgresql://postgres.{project.ref}:[PASSWORD]@aws-0-<region>.pooler.supabase.com:5432/postgres)",
    )


def linked_session_url(ref: str | None, project_root: Path | None) -> str | None:
    """The session pooler URL (no password) of the project linked at ``project_root`` (default: the
    project of the current directory), when it is for ``ref`` (any ref when ``ref`` is ``None``)."""
    if project_root is None:
        from khepri_db.core.project import find_project_root

        project_root = find_project_root()
    try:
        text = (project_root / POOLER_URL_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    pooler = text.replace(f":{PASSWORD_PLACEHOLDER}", "").replace(PASSWORD_PLACEHOLDER, "")
    parsed = parse_url(pooler)
    if parsed is None or len(parsed.host_names) != 1:
        return None
    _, user_ref = split_pooler_user(parsed.user_name or "")
    if ref is not None and user_ref is not None and user_ref != ref:
        return None
    return with_port(pooler, parsed, session_port(parsed.port))
