"""What to tell a user whose connection failed, beyond the server's reason: SSL refused by a server
that has none, or a host with only IPv6 addresses (and Supabase's session pooler to use instead).

The IPv6 advice follows supabase/cli ``apps/cli-go/internal/utils/flags/db_url.go``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from khepri_db.core.hosted.linked import PASSWORD_ENV, POOLER_URL_FILE, linked_session_url
from khepri_db.core.hosted.supabase import describe_supabase_url
from khepri_db.core.hosted.urls import ipv6_only_addresses, parse_url, ssl_default

_SERVER_MESSAGE = re.compile(r"(?:^|: )[^\s:]+:  \S", re.MULTILINE)
"""A message the server sent, as libpq shows it: its severity, a colon and two spaces (``FATAL:  ...``)."""


@dataclass(frozen=True)
class ConnectionAdvice:
    """What to add to a connection error.

    Attributes:
        message: text to append to the error message (starts with ``"; "``).
        hint: the hint to give instead of the generic one.
    """

    message: str
    hint: str


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
    parsed = parse_url(attempted)
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
        linked = linked_session_url(ref, project_root)
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
