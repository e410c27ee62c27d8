"""Connecting to hosted Supabase: SSL defaults, Supabase's hosts and pooler users, ``--linked``, IPv6-only hosts.

* :func:`connection_url`: the URL every khepri-db connection uses, with ``sslmode=require`` added when
  the server is not on this machine (``verify-full`` when a root certificate is configured), unless
  the URL or ``PGSSLMODE`` already chooses.
* :func:`describe_supabase_url`, :func:`split_pooler_user`, :func:`session_pooler_url`: what a URL
  says about a Supabase project (its ref; direct connection or pooler; transaction or session mode).
* :func:`read_linked_project`, :func:`linked_url`: the database of the project ``supabase link``
  linked this directory to, chosen as the Supabase CLI's ``--linked`` chooses it.
* :func:`ipv6_only_addresses`, :func:`connection_failure_advice`: what to tell a user whose
  connection failed (a host with only IPv6 addresses, or SSL refused by a server that has none).

The Supabase facts come from supabase/cli (``apps/cli-go/internal/utils/flags/db_url.go``,
``flags/project_ref.go``, ``internal/utils/connect.go``, ``internal/utils/misc.go``,
``internal/utils/profile.go``, ``internal/link/link.go``, ``pkg/config/config.go``) and Supabase's
documentation on connecting to Postgres; docs/hosted.md explains them for users.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

from khepri_db.core.errors import ConnectionFailedError, UsageError

PROJECT_REF_FILE = Path("supabase", ".temp", "project-ref")
"""Where ``supabase link`` records the linked project's ref, relative to the project directory."""
POOLER_URL_FILE = Path("supabase", ".temp", "pooler-url")
"""Where ``supabase link`` records the project's pooler URL (its password placeholder removed)."""
PASSWORD_ENV = "SUPABASE_DB_PASSWORD"  # noqa: S105 (a variable name, not a password)
"""The environment variable the Supabase CLI reads the linked database's password from."""
PROJECT_ID_ENV = "SUPABASE_PROJECT_ID"
"""The environment variable that, for the Supabase CLI, names the project ref before the ref file does."""

DIRECT_PORT = 5432
"""The port of the direct connection and of the pooler's session mode."""
TRANSACTION_PORT = 6543
"""The port of the pooler's transaction mode (Supavisor's shared pooler and the dedicated PgBouncer)."""
PROBE_TIMEOUT_S = 5.0
"""How long ``--linked`` waits for the direct host to accept a TCP connection (the Supabase CLI waits 5 s)."""

PROJECT_REF_PATTERN = re.compile(r"[a-z]{20}")
"""A project ref: 20 lower-case letters (supabase/cli ``internal/utils/misc.go``, ``ProjectRefPattern``)."""
_DIRECT_HOST = re.compile(r"db\.(?P<ref>[a-z]{20})\.supabase\.(?:co|red)")
_POOLER_HOST = re.compile(r"(?:aws-\d+-(?P<region>[a-z0-9-]+)|[a-z0-9-]+)\.pooler\.supabase\.com")
_POOLER_DOMAIN = "supabase.com"
_PASSWORD_PLACEHOLDER = "[YOUR-PASSWORD]"  # noqa: S105 (the placeholder supabase link strips)
_LOCAL_NAMES = frozenset({"localhost"})
_SERVER_MESSAGE = re.compile(r"(?:^|: )[^\s:]+:  \S", re.MULTILINE)
"""A message the server sent, as libpq shows it: its severity, a colon and two spaces (``FATAL:  ...``)."""


# -- libpq URLs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Url:
    """A libpq URL's connection parameters, as libpq itself parses them (psycopg's
    :func:`~psycopg.conninfo.conninfo_to_dict`: percent-decoded, ``?host=``/``?port=`` overriding the
    authority, several hosts comma-separated)."""

    params: dict[str, str]

    @property
    def host_names(self) -> list[str]:
        """The hosts libpq would try."""
        return [h for h in self.params.get("host", "").split(",") if h]

    @property
    def port(self) -> int:
        """The first port, default 5432."""
        first = self.params.get("port", "").split(",")[0]
        return int(first) if first.isdigit() else DIRECT_PORT

    @property
    def user_name(self) -> str | None:
        """The user, if the URL names one."""
        return self.params.get("user")

    @property
    def dbname(self) -> str | None:
        """The database, if the URL names one."""
        return self.params.get("dbname")


def _parse(url: str) -> _Url | None:
    """``url``'s parameters as libpq reads them, or ``None`` when it is not a ``postgres[ql]://`` URL
    (e.g. a ``host=... dbname=...`` conninfo) or libpq cannot parse it."""
    scheme, sep, _ = url.partition("://")
    if not sep or scheme.lower() not in ("postgresql", "postgres"):
        return None
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return None
    return _Url({key: str(value) for key, value in info.items() if value is not None})


def _is_socket(host: str) -> bool:
    """A Unix-domain socket directory (``/var/run/postgresql``) or abstract namespace (``@name``)."""
    return host.startswith(("/", "@"))


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ``::1``, ``::ffff:127.x.y.z``).

    Args:
        host: a host name or IP address, IPv6 with or without brackets.
    """
    name = host.strip("[]").lower()
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def is_local_host(host: str) -> bool:
    """True when ``host`` is on this machine: a Unix-domain socket, ``localhost`` or a loopback address."""
    return _is_socket(host) or is_loopback_host(host)


# -- SSL defaults -----------------------------------------------------------------------------------


def ssl_default(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The ``sslmode`` khepri-db adds to ``url``, or ``None`` when it adds none.

    ``"require"`` when a host of ``url`` is not on this machine (not a Unix-domain socket, not
    ``localhost``, not in 127.0.0.0/8 or ``::1``); ``"verify-full"`` instead when a root certificate
    is configured (``sslrootcert`` in the URL or ``PGSSLROOTCERT``). ``None`` when the URL already
    chooses (``sslmode``, or the older ``requiressl``), when the environment does (``PGSSLMODE``,
    ``PGREQUIRESSL``), when a service (``service=`` or ``PGSERVICE``) may choose in its file, when
    every host is local, or when ``url`` is not a URL (a ``key=value`` conninfo is left to libpq).
    The host decides, not ``hostaddr``: ``host`` names the server meant (an SSH tunnel to
    ``127.0.0.1`` with ``host=db.<ref>.supabase.co`` still gets SSL). Without a host in the URL,
    ``PGHOST`` decides, as it does for libpq.

    libpq's own default, ``prefer``, falls back to an unencrypted connection when TLS fails; the
    Supabase CLI likewise refuses that fallback for remote databases and connects to its local
    stack without TLS (supabase/cli ``apps/cli-go/internal/utils/connect.go``, ``ConnectByUrl``
    and ``ConnectLocalPostgres``).

    Args:
        url: a libpq URL.
        environ: the environment libpq will see (default ``os.environ``).

    Returns:
        ``"require"``, ``"verify-full"`` or ``None``.
    """
    env = os.environ if environ is None else environ
    parsed = _parse(url)
    if parsed is None:
        return None
    params = parsed.params
    if any(key in params for key in ("sslmode", "requiressl", "service")):
        return None
    if any(env.get(key) for key in ("PGSSLMODE", "PGREQUIRESSL", "PGSERVICE")):
        return None
    hosts = parsed.host_names or [h for h in env.get("PGHOST", "").split(",") if h]
    if all(is_local_host(host) for host in hosts):  # no host at all: libpq's default socket
        return None
    return "verify-full" if params.get("sslrootcert") or env.get("PGSSLROOTCERT") else "require"


def connection_url(url: str, environ: Mapping[str, str] | None = None) -> str:
    """``url`` with khepri-db's SSL default added (see :func:`ssl_default`), otherwise unchanged.

    Every connection khepri-db opens goes through this: :func:`khepri_db.core.db.connect` and the
    psql processes of ``khepri-db test db``.

    Args:
        url: a libpq URL, or any other conninfo (returned unchanged).
        environ: the environment libpq will see (default ``os.environ``).

    Returns:
        ``url``, with ``sslmode=require`` or ``sslmode=verify-full`` appended to its query when
        :func:`ssl_default` says so. The rest of the text is kept byte for byte.

    Examples:
        ``postgresql://postgres:pw@db.abcdefghijklmnopqrst.supabase.co:5432/postgres`` gets
        ``?sslmode=require``; ``postgresql://postgres@127.0.0.1:54322/postgres`` is unchanged.
    """
    mode = ssl_default(url, environ)
    if mode is None:
        return url
    return f"{url}{'&' if '?' in url else '?'}sslmode={mode}"


# -- Supabase hosts and users ---------------------------------------------------------------------


@dataclass(frozen=True)
class SupabaseUrl:
    """What a URL says about a hosted Supabase project.

    Attributes:
        ref: the project ref (20 lower-case letters), from ``db.<ref>.supabase.co`` or from a
            pooler user ``postgres.<ref>`` (or Supavisor's ``options=reference=<ref>``); ``None``
            when the URL does not say.
        kind: ``"direct"`` (the database server itself, ``db.<ref>.supabase.co:5432``) or
            ``"pooler"`` (Supavisor's shared pooler ``*.pooler.supabase.com``, or the dedicated
            PgBouncer on ``db.<ref>.supabase.co:6543``).
        pool_mode: ``"transaction"`` (port 6543), ``"session"`` (port 5432 on a shared pooler
            host) or ``None`` (a direct connection, or another port).
        host: the host name, lower-cased.
        port: the port (5432 when the URL names none).
        user: the user as written (e.g. ``postgres.<ref>``), or ``None``.
        region: the AWS region of an ``aws-<n>-<region>.pooler.supabase.com`` host, else ``None``.
    """

    ref: str | None
    kind: Literal["direct", "pooler"]
    pool_mode: Literal["transaction", "session"] | None
    host: str
    port: int
    user: str | None
    region: str | None

    @property
    def dedicated_pooler(self) -> bool:
        """True for the dedicated pooler (PgBouncer on ``db.<ref>.supabase.co:6543``)."""
        return self.kind == "pooler" and _DIRECT_HOST.fullmatch(self.host) is not None


def split_pooler_user(user: str) -> tuple[str, str | None]:
    """Split a Supavisor user name into the database role and the project ref.

    Supavisor (the shared pooler) routes by user name: ``postgres.<ref>`` logs in as ``postgres``
    to project ``<ref>``; the server then reports ``current_user`` = ``postgres``. The ref is the
    part after the last dot, and only when it is a project ref (20 lower-case letters), so a role
    whose own name has a dot (``first.last``) is left whole.

    Args:
        user: a user name as written in a URL (percent-decoded).

    Returns:
        ``(role, ref)``: ``("postgres", "abcdefghijklmnopqrst")`` for ``postgres.abcdefghijklmnopqrst``;
        ``(user, None)`` when ``user`` carries no ref.
    """
    role, dot, ref = user.rpartition(".")
    if dot and role and PROJECT_REF_PATTERN.fullmatch(ref):
        return role, ref
    return user, None


def _options_reference(params: Mapping[str, str]) -> str | None:
    """The ``reference=<ref>`` of Supavisor's ``options`` parameter (for clients that cannot set the user)."""
    for option in re.split(r"[,\s]+", params.get("options", "")):
        key, _, value = option.removeprefix("-c").partition("=")
        if key.strip() == "reference" and value:
            return value
    return None


def describe_supabase_url(url: str) -> SupabaseUrl | None:
    """What ``url`` says about a hosted Supabase project, or ``None`` when its host is not Supabase's.

    Recognised hosts (supabase/cli ``internal/utils/misc.go`` ``ProjectHostPattern``,
    ``internal/utils/profile.go``; Supabase's "Connect to your database" guide):

    * ``db.<ref>.supabase.co`` (and staging's ``supabase.red``): the direct connection on 5432; on
      6543 the dedicated pooler (PgBouncer, transaction mode);
    * ``aws-<n>-<region>.pooler.supabase.com`` and any other ``*.pooler.supabase.com``: Supavisor,
      the shared pooler: session mode on 5432, transaction mode on 6543.

    Args:
        url: a libpq URL (one host; with several, the first is described).

    Returns:
        A :class:`SupabaseUrl`, or ``None`` (not a URL, or not a Supabase host).
    """
    parsed = _parse(url)
    if parsed is None or not parsed.host_names:
        return None
    host = parsed.host_names[0].lower()
    port = parsed.port
    user = parsed.user_name
    _, user_ref = split_pooler_user(user) if user else (None, None)
    direct = _DIRECT_HOST.fullmatch(host)
    if direct:
        if port == TRANSACTION_PORT:
            return SupabaseUrl(direct["ref"], "pooler", "transaction", host, port, user, None)
        return SupabaseUrl(direct["ref"], "direct", None, host, port, user, None)
    pooler = _POOLER_HOST.fullmatch(host)
    if pooler is None:
        return None
    mode: Literal["transaction", "session"] | None = (
        "transaction" if port == TRANSACTION_PORT else "session" if port == DIRECT_PORT else None
    )
    return SupabaseUrl(
        user_ref or _options_reference(parsed.params), "pooler", mode, host, port, user, pooler["region"]
    )


def _with_port(url: str, parsed: _Url, port: int) -> str:
    """``url`` with its (single) port replaced by ``port``."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "port" for key, _ in query):
        query = [(key, str(port) if key == "port" else value) for key, value in query]
        return urlunsplit(parts._replace(query=urlencode(query)))
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host = hostport[: hostport.index("]") + 1] if hostport.startswith("[") else hostport.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{host}:{port}"))


def session_pooler_url(url: str) -> str | None:
    """The session-mode URL of the same database, for a URL of Supabase's transaction pooler.

    On a shared pooler host (``*.pooler.supabase.com``) session mode is the same host, user and
    database on port 5432 (the Supabase CLI connects to a linked project's pooler the same way:
    ``internal/utils/connect.go`` ``GetPoolerConfig`` sets the port to 5432). For the dedicated pooler
    (``db.<ref>.supabase.co:6543``) port 5432 of that host is the direct connection, a session too
    (reachable over IPv6 only, unless the project has the IPv4 add-on).

    Args:
        url: a libpq URL.

    Returns:
        The URL with port 5432 for a transaction-mode URL; ``url`` itself for a session-mode pooler
        URL; ``None`` for any other URL (a direct connection, another host, not a URL).
    """
    described = describe_supabase_url(url)
    if described is None or described.kind != "pooler":
        return None
    if described.pool_mode == "session":
        return url
    if described.pool_mode != "transaction":
        return None
    parsed = _parse(url)
    assert parsed is not None
    return _with_port(url, parsed, DIRECT_PORT)


# -- IPv6-only hosts ------------------------------------------------------------------------------


def _getaddrinfo(host: str, port: int) -> list[tuple[int, str]]:
    """``(family, address)`` of every TCP address of ``host`` (tests replace this to decide "IPv6 only")."""
    return [
        (family, str(sockaddr[0]))
        for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    ]


def ipv6_only_addresses(host: str, port: int = DIRECT_PORT) -> tuple[str, ...] | None:
    """The addresses of ``host`` when they are all IPv6, else ``None``.

    Supabase's direct host ``db.<ref>.supabase.co`` has only IPv6 addresses unless the project has
    the IPv4 add-on; on a network without IPv6 a connection to it fails ("Network is unreachable"),
    and the Supabase CLI then says "IPv6 is not supported on your current network"
    (``internal/utils/flags/db_url.go``).

    Args:
        host: a host name or an IP address literal (``::1`` and ``[::1]`` are IPv6 only).
        port: the port to resolve for.

    Returns:
        The distinct IPv6 addresses in resolver order, or ``None``: the host has an IPv4 address,
        is a socket, or does not resolve.
    """
    if _is_socket(host):
        return None
    try:
        literal = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        pass
    else:
        return (host.strip("[]"),) if literal.version == 6 else None
    try:
        found = _getaddrinfo(host.strip("[]"), port)
    except (OSError, UnicodeError):
        return None
    if not found or any(family != socket.AF_INET6 for family, _ in found):
        return None
    return tuple(dict.fromkeys(address for _, address in found))


# -- the linked project (`--linked`) --------------------------------------------------------------


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
    pooler = text.replace(f":{_PASSWORD_PLACEHOLDER}", "").replace(_PASSWORD_PLACEHOLDER, "") or None
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
    parsed = _parse(pooler_url)
    if parsed is None or len(parsed.host_names) != 1:
        return f"{POOLER_URL_FILE} is not a single-host postgresql:// URL"
    user = parsed.user_name or ""
    _, user_ref = split_pooler_user(user)
    named = user_ref or _options_reference(parsed.params)
    if named is not None and named != ref:
        return f"{POOLER_URL_FILE} is for project {named}, not {ref}"
    host = parsed.host_names[0].lower()
    if not (host == _POOLER_DOMAIN or host.endswith("." + _POOLER_DOMAIN) or is_loopback_host(host)):
        return f"{POOLER_URL_FILE} names host {host}, which is not Supabase's pooler domain ({_POOLER_DOMAIN})"
    return None


def _session_port(port: int) -> int:
    """The session-mode port for a pooler URL's ``port``: 5432 for the transaction port 6543, else unchanged."""
    return DIRECT_PORT if port == TRANSACTION_PORT else port


def _pooler_session_url(pooler_url: str, password: str) -> str:
    """The linked pooler URL in session mode (port 6543 becomes 5432) with ``password`` set."""
    parsed = _parse(pooler_url)
    assert parsed is not None
    host = parsed.host_names[0]
    shown = f"[{host}]" if ":" in host else quote(host, safe="")
    user = quote(parsed.user_name or "postgres", safe="")
    query = {k: v for k, v in parsed.params.items() if k not in ("host", "port", "user", "password", "dbname")}
    rest = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query.items())
    dbname = quote(parsed.dbname or "postgres", safe="")
    return f"postgresql://{user}:{quote(password, safe='')}@{shown}:{_session_port(parsed.port)}/{dbname}" + (
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


# -- when a connection fails ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionAdvice:
    """What to add to a connection error.

    Attributes:
        message: text to append to the error message (starts with ``"; "``).
        hint: the hint to give instead of the generic one.
    """

    message: str
    hint: str


def _linked_session_url(ref: str | None, project_root: Path | None) -> str | None:
    """The session pooler URL (no password) of the project linked at ``project_root`` (default: the
    project of the current directory), when it is for ``ref`` (any ref when ``ref`` is ``None``)."""
    if project_root is None:
        from khepri_db.core.project import find_project_root

        project_root = find_project_root()
    try:
        text = (project_root / POOLER_URL_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    pooler = text.replace(f":{_PASSWORD_PLACEHOLDER}", "").replace(_PASSWORD_PLACEHOLDER, "")
    parsed = _parse(pooler)
    if parsed is None or len(parsed.host_names) != 1:
        return None
    _, user_ref = split_pooler_user(parsed.user_name or "")
    if ref is not None and user_ref is not None and user_ref != ref:
        return None
    return _with_port(pooler, parsed, _session_port(parsed.port))


def connection_failure_advice(
    url: str, attempted: str, *, sqlstate: str | None, reason: str, project_root: Path | None = None
) -> ConnectionAdvice | None:
    """What to tell a user whose connection to ``url`` failed, beyond the server's reason.

    * SSL refused: ``attempted`` carries the ``sslmode`` khepri-db added (:func:`connection_url`)
      and the server has no SSL: say how to turn it off for that server.
    * IPv6 only: the failure happened before any server answered (no SQLSTATE, no server message
      such as ``FATAL:  password authentication failed``) and a host of the URL
      has only IPv6 addresses (:func:`ipv6_only_addresses`): say so, and point to Supabase's session
      pooler (IPv4 and IPv6): the linked project's (``supabase/.temp/pooler-url`` on port 5432)
      when there is one, else its general form ``postgres.<ref>@aws-0-<region>.pooler.supabase.com:5432``.

    Args:
        url: the URL the user gave.
        attempted: the URL the connection used (``connection_url(url)``).
        sqlstate: the SQLSTATE of the failure, when the driver has one.
        reason: the driver's whole message.
        project_root: where to look for ``supabase/.temp/pooler-url`` (default: the project of the
            current directory).

    Returns:
        A :class:`ConnectionAdvice`, or ``None`` when there is nothing to add.
    """
    added = ssl_default(url) if attempted != url else None
    if added and "SSL" in reason and sqlstate is None:
        return ConnectionAdvice(
            message=f"; khepri-db asked for SSL (sslmode={added}, its default for a server that is not on this "
            "machine)",
            hint="for a server without SSL, add sslmode=disable to the URL (?sslmode=disable) or set "
            "PGSSLMODE=disable; hosted Supabase always has SSL",
        )
    if sqlstate is not None or _SERVER_MESSAGE.search(reason):
        return None  # a server answered: the network is not the problem
    parsed = _parse(attempted)
    if parsed is None or "hostaddr" in parsed.params:
        return None
    for host in parsed.host_names:
        addresses = ipv6_only_addresses(host, parsed.port)
        if addresses is None:
            continue
        described = describe_supabase_url(url)
        ref = described.ref if described is not None else None
        shown = ", ".join(addresses[:3]) + (", ..." if len(addresses) > 3 else "")
        message = f"; {host} has only IPv6 addresses ({shown}): this machine may have no IPv6 route to it"
        if described is not None and described.kind == "direct":
            message += " (Supabase's direct connection is IPv6-only unless the project has the IPv4 add-on)"
        linked = _linked_session_url(ref, project_root)
        if linked is not None:
            hint = (
                f"use the session pooler (IPv4 and IPv6) of the linked project: {linked} (from {POOLER_URL_FILE}, "
                f"port 5432), with the password in the URL, or `--linked` with {PASSWORD_ENV} set"
            )
        else:
            user = f"postgres.{ref}" if ref else "postgres.<ref>"
            hint = (
                "use Supabase's session pooler, which answers over IPv4 and IPv6: "
                f"postgresql://{user}:[PASSWORD]@aws-0-<region>.pooler.supabase.com:5432/postgres "
                "(Dashboard > Connect > Session pooler), or run `supabase link` and pass --linked"
            )
        return ConnectionAdvice(message=message, hint=hint)
    return None
