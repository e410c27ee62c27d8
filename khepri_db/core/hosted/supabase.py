"""What a URL says about a hosted Supabase project: its ref, direct connection or pooler,
transaction or session mode (:func:`describe_supabase_url`, :func:`session_pooler_url`).

The facts come from supabase/cli (``internal/utils/misc.go``, ``internal/utils/profile.go``,
``internal/utils/connect.go``) and Supabase's documentation on connecting to Postgres.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from khepri_db.core.hosted.urls import parse_url, with_port

DIRECT_PORT = 5432
"""The port of the direct connection and of the pooler's session mode."""
TRANSACTION_PORT = 6543
"""The port of the pooler's transaction mode (Supavisor's shared pooler and the dedicated PgBouncer)."""
PROJECT_REF_PATTERN = re.compile(r"[a-z]{20}")
"""A project ref: 20 lower-case letters (supabase/cli ``internal/utils/misc.go``, ``ProjectRefPattern``)."""
DIRECT_HOST = re.compile(r"db\.(?P<ref>[a-z]{20})\.supabase\.(?:co|red)")
"""The direct connection's host, ``db.<ref>.supabase.co`` (staging: ``supabase.red``)."""
_POOLER_HOST = re.compile(r"(?:aws-\d+-(?P<region>[a-z0-9-]+)|[a-z0-9-]+)\.pooler\.supabase\.com")
POOLER_DOMAIN = "supabase.com"
"""The domain of Supabase's shared pooler hosts (the Supabase CLI sends a linked password only there)."""


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
        return self.kind == "pooler" and DIRECT_HOST.fullmatch(self.host) is not None


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


def options_reference(params: Mapping[str, str]) -> str | None:
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
    parsed = parse_url(url)
    if parsed is None or not parsed.host_names:
        return None
    host = parsed.host_names[0].lower()
    port = parsed.port
    user = parsed.user_name
    _, user_ref = split_pooler_user(user) if user else (None, None)
    direct = DIRECT_HOST.fullmatch(host)
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
    return SupabaseUrl(user_ref or options_reference(parsed.params), "pooler", mode, host, port, user, pooler["region"])


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
    parsed = parse_url(url)
    assert parsed is not None
    return with_port(url, parsed, DIRECT_PORT)


def session_port(port: int) -> int:
    """The session-mode port for a pooler URL's ``port``: 5432 for the transaction port 6543, else unchanged."""
    return DIRECT_PORT if port == TRANSACTION_PORT else port
