"""Connecting to hosted Supabase: SSL defaults, Supabase's hosts and pooler users, ``--linked``, IPv6-only hosts.

* :func:`connection_url` (``urls``): the URL every khepri-db connection uses, with ``sslmode=require``
  added when the server is not on this machine (``verify-full`` when a root certificate is
  configured), unless the URL or ``PGSSLMODE`` already chooses.
* :func:`describe_supabase_url`, :func:`split_pooler_user`, :func:`session_pooler_url` (``supabase``):
  what a URL says about a Supabase project (its ref; direct connection or pooler; transaction or
  session mode).
* :func:`read_linked_project`, :func:`linked_url` (``linked``): the database of the project
  ``supabase link`` linked this directory to, chosen as the Supabase CLI's ``--linked`` chooses it.
* :func:`ipv6_only_addresses` (``urls``), :func:`connection_failure_advice` (``advice``): what to tell
  a user whose connection failed (a host with only IPv6 addresses, or SSL refused by a server that
  has none).

The Supabase facts come from supabase/cli (``apps/cli-go/internal/utils/flags/db_url.go``,
``flags/project_ref.go``, ``internal/utils/connect.go``, ``internal/utils/misc.go``,
``internal/utils/profile.go``, ``internal/link/link.go``, ``pkg/config/config.go``) and Supabase's
documentation on connecting to Postgres; docs/hosted.md explains them for users.
"""

from __future__ import annotations

from khepri_db.core.hosted.advice import ConnectionAdvice, connection_failure_advice
from khepri_db.core.hosted.linked import (
    PASSWORD_ENV,
    POOLER_URL_FILE,
    PROBE_TIMEOUT_S,
    PROJECT_ID_ENV,
    PROJECT_REF_FILE,
    LinkedProject,
    LinkedTarget,
    linked_url,
    read_linked_project,
)
from khepri_db.core.hosted.supabase import (
    DIRECT_PORT,
    PROJECT_REF_PATTERN,
    TRANSACTION_PORT,
    SupabaseUrl,
    describe_supabase_url,
    session_pooler_url,
    split_pooler_user,
)
from khepri_db.core.hosted.urls import (
    connection_url,
    ipv6_only_addresses,
    is_local_host,
    is_loopback_host,
    ssl_default,
)

__all__ = [
    "DIRECT_PORT",
    "PASSWORD_ENV",
    "POOLER_URL_FILE",
    "PROBE_TIMEOUT_S",
    "PROJECT_ID_ENV",
    "PROJECT_REF_FILE",
    "PROJECT_REF_PATTERN",
    "TRANSACTION_PORT",
    "ConnectionAdvice",
    "LinkedProject",
    "LinkedTarget",
    "SupabaseUrl",
    "connection_failure_advice",
    "connection_url",
    "describe_supabase_url",
    "ipv6_only_addresses",
    "is_local_host",
    "is_loopback_host",
    "linked_url",
    "read_linked_project",
    "session_pooler_url",
    "split_pooler_user",
    "ssl_default",
]
