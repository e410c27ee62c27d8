"""Acting as ``anon``, a signed-in user or ``service_role`` exactly as PostgREST does, with users made as
Supabase Auth signs them up: :func:`create_user`, :func:`as_user`, :func:`as_anon`, :func:`as_service_role`.

For each API request PostgREST (v12, the version Supabase runs) opens a transaction on its
``authenticator`` connection and, before running the query, sets transaction-local settings:
``role`` (the JWT's ``role`` claim), ``request.jwt.claims`` (all claims as JSON),
``request.method``, ``request.path``, ``request.headers``, ``request.cookies`` and ``search_path``
(the exposed schemas plus ``extra-search-path``), and applies the impersonated role's own
settings (``alter role ... set``, e.g. ``statement_timeout``). The context managers here do the
same on any psycopg connection, then check that the switch really took away the connecting role's
powers, so a policy test cannot pass by running as a superuser, a BYPASSRLS role or a table owner.
The claims, the request context and its rights check are :mod:`khepri_db.core.request`; this module
adds the users and the shortcuts.

Who uses it: the access matrix (its fixtures' users, ``khepri_db.access``), the pytest plugin's
``make_user``/``as_user``/``as_anon``/``as_service_role`` fixtures (``khepri_db.testing.plugin``) and
``khepri-db demo`` (``khepri_db.khepri.demo``). Issue 23: this lived in ``khepri_db.access.session``,
which still re-exports it with the names of :mod:`khepri_db.core.request` and
:mod:`khepri_db.core.postgrest` it offered.

Usage::

    alice = create_user(conn, email="alice@example.com")
    with as_user(conn, alice):
        conn.execute("select * from public.athletes")   # RLS applies, as for Alice's JWT
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from khepri_db.core.request import AuthUser, api_key_claims, request_context, user_claims

__all__ = ["AuthUser", "as_anon", "as_service_role", "as_user", "create_user"]


def create_user(
    conn: psycopg.Connection,
    email: str | None = None,
    *,
    user_id: uuid.UUID | None = None,
    phone: str | None = None,
    user_metadata: Mapping[str, Any] | None = None,
    app_metadata: Mapping[str, Any] | None = None,
    is_anonymous: bool = False,
    confirmed: bool = True,
) -> AuthUser:
    """Insert a user into ``auth.users`` the way Supabase Auth does on sign-up.

    Follows Supabase Auth's sign-up (``POST /auth/v1/signup``, supabase/auth ``models.NewUser``):
    ``aud`` and ``role`` ``authenticated``, the nil ``instance_id``, ``raw_app_meta_data`` with
    the provider, and, where the database has Supabase Auth's ``auth.identities`` table (real
    Supabase, and khepri-db's compatibility layer from v2 on), the matching ``email`` identity.
    Columns the database's ``auth.users`` lacks (the supabase/postgres image without Supabase
    Auth's migrations has an older table) are left out.

    Args:
        conn: a connection whose role may insert into ``auth.users`` (the migrating role).
        email: the address; default a unique ``user-<hex>@khepri.test`` (``None`` for anonymous
            users).
        user_id: the id; default a random UUID.
        phone: optional phone number.
        user_metadata: ``raw_user_meta_data`` (default ``{}``).
        app_metadata: extra ``raw_app_meta_data`` keys, merged over Supabase Auth's
            ``{"provider": "email", "providers": ["email"]}`` (``{}`` for anonymous users).
        is_anonymous: create an anonymous user.
        confirmed: set ``email_confirmed_at`` (as with email confirmations turned off).

    Returns:
        The :class:`AuthUser`.

    Raises:
        psycopg.errors.UniqueViolation: the email or id already exists.
        psycopg.errors.UndefinedTable: the database has no ``auth.users`` (not migrated: run
            ``khepri-db migrate``, which installs the compatibility layer on vanilla Postgres).
    """
    uid = user_id or uuid.uuid4()
    if email is None and not is_anonymous:
        email = f"user-{uid.hex[:12]}@khepri.test"
    base_app = {} if is_anonymous else {"provider": "email", "providers": ["email"]}
    app = {**base_app, **(app_metadata or {})}
    meta = dict(user_metadata or {})
    columns = _writable_columns(conn, "auth", "users")
    confirmed_column = "email_confirmed_at" if "email_confirmed_at" in columns else "confirmed_at"
    values: dict[str, Any] = {
        "instance_id": uuid.UUID(int=0),
        "id": uid,
        "aud": "authenticated",
        "role": "authenticated",
        "email": email,
        "encrypted_password": "",
        confirmed_column: sql.SQL("now()") if confirmed and email is not None else None,
        "phone": phone,
        "raw_app_meta_data": Jsonb(app),
        "raw_user_meta_data": Jsonb(meta),
        "is_anonymous": is_anonymous,
        "created_at": sql.SQL("now()"),
        "updated_at": sql.SQL("now()"),
    }
    present = {k: v for k, v in values.items() if k in columns}
    conn.execute(_insert("auth", "users", present), [v for v in present.values() if not isinstance(v, sql.Composable)])
    if email is not None:
        identities = _writable_columns(conn, "auth", "identities")
        if {"provider_id", "user_id", "identity_data", "provider"} <= identities:
            identity: dict[str, Any] = {
                "provider_id": str(uid),
                "user_id": uid,
                "identity_data": Jsonb(
                    {"sub": str(uid), "email": email, "email_verified": confirmed, "phone_verified": False}
                ),
                "provider": "email",
                "last_sign_in_at": sql.SQL("now()"),
                "created_at": sql.SQL("now()"),
                "updated_at": sql.SQL("now()"),
            }
            identity = {k: v for k, v in identity.items() if k in identities}
            conn.execute(
                _insert("auth", "identities", identity),
                [v for v in identity.values() if not isinstance(v, sql.Composable)],
            )
    return AuthUser(uid, email, phone, app, meta, is_anonymous)


def _writable_columns(conn: psycopg.Connection, schema: str, table: str) -> set[str]:
    """Names of the columns of ``schema.table`` an insert may set (not dropped, not generated)."""
    rows = conn.execute(
        """
        select a.attname
        from pg_catalog.pg_attribute as a
        where a.attrelid = to_regclass(format('%%I.%%I', %s::text, %s::text))
            and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        """,
        (schema, table),
    ).fetchall()
    return {r[0] for r in rows}


def _insert(schema: str, table: str, values: Mapping[str, Any]) -> sql.Composed:
    """``insert into schema.table (cols) values (...)``: SQL fragments inline, everything else bound."""
    return sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier(schema, table),
        sql.SQL(", ").join(sql.Identifier(k) for k in values),
        sql.SQL(", ").join(v if isinstance(v, sql.Composable) else sql.Placeholder() for v in values.values()),
    )


@contextmanager
def as_user(
    conn: psycopg.Connection,
    user: AuthUser,
    *,
    claims: Mapping[str, Any] | None = None,
    **request: Any,
) -> Iterator[psycopg.Connection]:
    """Act as ``user`` signed in (role ``authenticated``) for the block.

    Args:
        conn: see :func:`request_context`.
        user: the signed-in user (from :func:`create_user`).
        claims: claims to add or override on top of :func:`user_claims` (e.g. ``{"aal": "aal2"}``).
        request: ``method``, ``path``, ``headers``, ``search_path``, ``verify`` for
            :func:`request_context`.
    """
    with request_context(conn, "authenticated", user_claims(user, extra=claims), **request) as c:
        yield c


@contextmanager
def as_anon(conn: psycopg.Connection, **request: Any) -> Iterator[psycopg.Connection]:
    """Act as an anonymous visitor (the anon key, no user) for the block; see :func:`request_context`."""
    with request_context(conn, "anon", api_key_claims("anon"), **request) as c:
        yield c


@contextmanager
def as_service_role(conn: psycopg.Connection, **request: Any) -> Iterator[psycopg.Connection]:
    """Act with the service_role key (bypasses RLS, as on Supabase) for the block."""
    with request_context(conn, "service_role", api_key_claims("service_role"), **request) as c:
        yield c
