"""How PostgREST sets role and claims for one request, as tests and clients of every face make it: the
JWT claims Supabase Auth issues for a user (:func:`user_claims`) or an API key carries
(:func:`api_key_claims`), and :func:`request_context`, which applies PostgREST's settings
(:func:`khepri_db.core.postgrest.request_settings`) and then checks that the switch took the connecting
role's powers away (:func:`check_rights`). Issue 23: this lived in ``access.session``, which still
re-exports it; the users and the shortcuts (``create_user``, ``as_user``, ``as_anon``, ``as_service_role``)
are :mod:`khepri_db.core.session`.

Sources: PostgREST v12 (the version Supabase runs) for the settings; supabase/auth's access token
claims (``iss, sub, aud, exp, iat, email, phone, app_metadata, user_metadata, role, aal, amr,
session_id, is_anonymous``) for :func:`user_claims`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from khepri_db.core.errors import RoleSwitchError, UsageError
from khepri_db.core.postgrest import DEFAULT_SEARCH_PATH, request_settings

API_ROLES = ("anon", "authenticated", "service_role")
"""The roles a Supabase JWT can name."""

JWT_ISSUER = "http://127.0.0.1:54321/auth/v1"
"""``iss`` claim of user tokens, as ``supabase start``'s Auth issues them."""


@dataclass(frozen=True)
class AuthUser:
    """A user account: a row of ``auth.users``.

    Attributes:
        id: ``auth.users.id`` (the JWT ``sub`` claim).
        email: the email address, or ``None``.
        phone: the phone number, or ``None``.
        app_metadata: ``raw_app_meta_data``: set by the server, never by the user (safe for
            authorisation decisions).
        user_metadata: ``raw_user_meta_data``: editable by the user (never trust it for
            authorisation).
        is_anonymous: an anonymous sign-in (still role ``authenticated``).
    """

    id: uuid.UUID
    email: str | None = None
    phone: str | None = None
    app_metadata: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)
    is_anonymous: bool = False


def user_claims(
    user: AuthUser,
    *,
    session_id: uuid.UUID | None = None,
    aal: str = "aal1",
    ttl_s: int = 3600,
    now: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The claims of an access token Supabase Auth issues for ``user``.

    Args:
        user: the signed-in user.
        session_id: the ``session_id`` claim (default a new UUID).
        aal: authenticator assurance level, ``aal1`` or ``aal2`` (after MFA).
        ttl_s: lifetime in seconds (``exp - iat``).
        now: ``iat`` as a Unix timestamp (default: the current time).
        extra: claims to add or override (e.g. from a custom access token hook).

    Returns:
        A JSON-ready dict with ``iss, sub, aud, exp, iat, email, phone, app_metadata,
        user_metadata, role, aal, amr, session_id, is_anonymous``.
    """
    iat = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": JWT_ISSUER,
        "sub": str(user.id),
        "aud": "authenticated",
        "exp": iat + ttl_s,
        "iat": iat,
        "email": user.email or "",
        "phone": user.phone or "",
        "app_metadata": dict(user.app_metadata),
        "user_metadata": dict(user.user_metadata),
        "role": "authenticated",
        "aal": aal,
        "amr": [{"method": "anonymous" if user.is_anonymous else "password", "timestamp": iat}],
        "session_id": str(session_id or uuid.uuid4()),
        "is_anonymous": user.is_anonymous,
    }
    claims.update(extra or {})
    return claims


def api_key_claims(role: str, *, now: int | None = None) -> dict[str, Any]:
    """The claims of a Supabase API key (the anon or service_role key): ``iss, role, iat, exp``."""
    iat = int(time.time()) if now is None else now
    return {"iss": "supabase", "role": role, "iat": iat, "exp": iat + 10 * 365 * 24 * 3600}


@dataclass(frozen=True)
class RequestRights:
    """What the database says about the role a request context switched to.

    Attributes:
        current_user: ``current_user`` after the switch.
        superuser: the role is a superuser.
        bypassrls: the role has BYPASSRLS.
        owned_rls_tables: RLS-enabled tables (not FORCE) the role owns or inherits ownership of;
            RLS does not apply to their owner.
    """

    current_user: str
    superuser: bool
    bypassrls: bool
    owned_rls_tables: list[str]


def request_rights(conn: psycopg.Connection) -> RequestRights:
    """Read the rights of the connection's current role (see :class:`RequestRights`)."""
    row = conn.execute(
        """
        select current_user::text, r.rolsuper, r.rolbypassrls,
            array(
                select format('%I.%I', n.nspname, c.relname)
                from pg_catalog.pg_class as c
                join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
                where c.relkind in ('r', 'p') and c.relrowsecurity and not c.relforcerowsecurity
                    and n.nspname not in ('pg_catalog', 'information_schema')
                    and pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
                order by 1
            )
        from pg_catalog.pg_roles as r
        where r.rolname = current_user
        """
    ).fetchone()
    assert row is not None
    return RequestRights(row[0], row[1], row[2], list(row[3]))


def check_rights(rights: RequestRights, role: str) -> None:
    """Refuse rights a PostgREST request as ``role`` would not have.

    Args:
        rights: what :func:`request_rights` read after the switch.
        role: the API role the request context switched to.

    Raises:
        RoleSwitchError: ``current_user`` is not ``role``; the role is a superuser; it has BYPASSRLS
            (only ``service_role`` may, and must); or it owns RLS-protected tables (except
            service_role, which bypasses RLS anyway).
    """
    problems = []
    if rights.current_user != role:
        problems.append(f"current_user is {rights.current_user!r}, not {role!r}")
    if rights.superuser:
        problems.append("the role is a superuser")
    if rights.bypassrls and role != "service_role":
        problems.append("the role has BYPASSRLS")
    if not rights.bypassrls and role == "service_role":
        problems.append("service_role lacks BYPASSRLS (Supabase gives it BYPASSRLS)")
    if rights.owned_rls_tables and role != "service_role":
        shown = ", ".join(rights.owned_rls_tables[:5])
        problems.append(f"the role owns RLS-protected tables, so RLS does not apply to it: {shown}")
    if problems:
        raise RoleSwitchError(
            f"request context as {role!r} does not have the rights of a PostgREST request: " + "; ".join(problems),
            hint="Tables must be owned by the migrating role, and the API roles must be NOLOGIN, "
            "not superuser, without BYPASSRLS (only service_role has it).",
        )


@contextmanager
def request_context(
    conn: psycopg.Connection,
    role: str,
    claims: Mapping[str, Any],
    *,
    method: str = "POST",
    path: str = "/",
    headers: Mapping[str, str] | None = None,
    search_path: Sequence[str] = DEFAULT_SEARCH_PATH,
    verify: bool = True,
) -> Iterator[psycopg.Connection]:
    """Run the block as one PostgREST request made with a JWT carrying ``claims``.

    On a connection with no transaction open (idle), the block is its own transaction: committed
    when it ends, as PostgREST commits a successful request, and rolled back (the exception
    propagates) when it raises. A block that catches a statement's error itself (a refusal test:
    ``with as_user(bob), pytest.raises(psycopg.errors.InsufficientPrivilege):``) is rolled back
    too, quietly, so the connection stays usable after it. Inside a transaction the caller opened
    (``conn.transaction()``, or an implicit one after an earlier ``execute``), the block is a
    savepoint: released on success, rolled back to on an exception, and the caller's transaction
    decides whether anything is committed (the pytest plugin's ``db`` fixture rolls it back after
    each test). The connecting role and settings are restored when the block ends.

    Args:
        conn: a non-autocommit connection whose role is a member of ``role`` (or a superuser).
        role: ``anon``, ``authenticated`` or ``service_role``.
        claims: the JWT claims, stored in ``request.jwt.claims``.
        method: ``request.method`` (PostgREST: the HTTP method).
        path: ``request.path`` (PostgREST: e.g. ``/rpc/finalize_onboarding``).
        headers: ``request.headers`` (lower-case names, as PostgREST passes them).
        search_path: schemas put on ``search_path`` (PostgREST: exposed + extra search path).
        verify: check the switch (see :class:`RoleSwitchError`); leave on in tests.

    Yields:
        ``conn``, now acting as the request's role.

    Raises:
        UsageError: ``role`` is not an API role, or ``conn`` is in autocommit mode.
        RoleSwitchError: after the switch the role can still bypass RLS.
    """
    if role not in API_ROLES:
        raise UsageError(f"role must be one of {', '.join(API_ROLES)}, got {role!r}")
    if conn.autocommit:
        raise UsageError("request contexts need a non-autocommit connection (settings are transaction-local)")
    # Open the transaction first: on an idle connection any query would start an implicit one, and
    # conn.transaction() would then only open a savepoint that nothing ever commits.
    with conn.transaction() as request:
        settings = request_settings(
            conn, role, claims, method=method, path=path, headers=headers, search_path=search_path
        )
        previous = conn.execute(
            "select current_setting('role'), coalesce(current_setting('request.jwt.claims', true), ''), "
            "current_setting('search_path')"
        ).fetchone()
        assert previous is not None
        conn.execute(
            "select " + ", ".join("set_config(%s, %s, true)" for _ in settings),
            [part for pair in settings for part in pair],
        )
        if verify:
            check_rights(request_rights(conn), role)
        yield conn
        if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            # A statement of the block failed and the block caught the error itself (`with
            # as_user(bob), pytest.raises(InsufficientPrivilege):`): the request failed, as PostgREST
            # would answer it, so it is rolled back, and the caller's transaction stays usable.
            raise psycopg.Rollback(request)
        if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            conn.execute(
                "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true), "
                "set_config('search_path', %s, true)",
                previous,
            )
