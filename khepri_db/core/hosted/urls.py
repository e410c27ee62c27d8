"""libpq URLs as libpq reads them, which hosts are on this machine or reachable only over IPv6, and
the SSL default every khepri-db connection gets (:func:`connection_url`).

The SSL default follows supabase/cli ``apps/cli-go/internal/utils/connect.go`` (``ConnectByUrl``,
``ConnectLocalPostgres``); docs/hosted.md explains it for users.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

DEFAULT_PORT = 5432
"""The port libpq uses when a URL names none (also Supabase's direct connection and session pooler)."""
_LOCAL_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class LibpqUrl:
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
        return int(first) if first.isdigit() else DEFAULT_PORT

    @property
    def user_name(self) -> str | None:
        """The user, if the URL names one."""
        return self.params.get("user")

    @property
    def dbname(self) -> str | None:
        """The database, if the URL names one."""
        return self.params.get("dbname")


def parse_url(url: str) -> LibpqUrl | None:
    """``url``'s parameters as libpq reads them, or ``None`` when it is not a ``postgres[ql]://`` URL
    (e.g. a ``host=... dbname=...`` conninfo) or libpq cannot parse it."""
    scheme, sep, _ = url.partition("://")
    if not sep or scheme.lower() not in ("postgresql", "postgres"):
        return None
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return None
    return LibpqUrl({key: str(value) for key, value in info.items() if value is not None})


def is_socket(host: str) -> bool:
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
    return is_socket(host) or is_loopback_host(host)


def with_port(url: str, parsed: LibpqUrl, port: int) -> str:
    """``url`` with its (single) port replaced by ``port``."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "port" for key, _ in query):
        query = [(key, str(port) if key == "port" else value) for key, value in query]
        return urlunsplit(parts._replace(query=urlencode(query)))
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host = hostport[: hostport.index("]") + 1] if hostport.startswith("[") else hostport.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{host}:{port}"))


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
    parsed = parse_url(url)
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


def _getaddrinfo(host: str, port: int) -> list[tuple[int, str]]:
    """``(family, address)`` of every TCP address of ``host`` (tests replace this to decide "IPv6 only")."""
    return [
        (family, str(sockaddr[0]))
        for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    ]


def ipv6_only_addresses(host: str, port: int = DEFAULT_PORT) -> tuple[str, ...] | None:
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
    if is_socket(host):
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
