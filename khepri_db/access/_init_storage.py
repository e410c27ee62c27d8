"""The Storage buckets ``access init`` declares: those of ``storage.buckets`` and those a policy on
``storage.objects`` names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import psycopg

_BUCKET_LITERAL = r"'((?:[^']|'')+)'(?:::\w+)?"
_BUCKET_PATTERNS = (
    re.compile(rf"\bbucket_id\s*=\s*{_BUCKET_LITERAL}", re.I),
    re.compile(rf"{_BUCKET_LITERAL}\s*=\s*(?:\w+\.)?bucket_id\b", re.I),
)
_BUCKET_ANY = re.compile(r"\bbucket_id\s*=\s*any\s*\(\s*(?:array\s*)?\[?([^\]\)]*)", re.I)


def policy_buckets(expression: str) -> list[str]:
    """The bucket ids a policy expression on ``storage.objects`` compares ``bucket_id`` with, in order:
    ``bucket_id = 'avatars'`` as written or as Postgres deparses it (``(bucket_id = 'avatars'::text)``),
    ``'avatars' = bucket_id`` and ``bucket_id = any (array['a'::text, 'b'::text])`` (``in ('a', 'b')``)."""
    found: list[str] = []
    for pattern in _BUCKET_PATTERNS:
        found += [m.group(1).replace("''", "'") for m in pattern.finditer(expression)]
    for match in _BUCKET_ANY.finditer(expression):
        found += [m.group(1).replace("''", "'") for m in re.finditer(_BUCKET_LITERAL, match.group(1))]
    return list(dict.fromkeys(found))


def policies_naming_buckets(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Bucket id -> the names of the policies on ``storage.objects`` that name it
    (:func:`policy_buckets` of their ``using`` and ``with check``), in policy-name order. Empty without
    Storage's schema."""
    if conn.execute("select to_regclass('storage.objects')").fetchone() == (None,):
        return {}
    named: dict[str, list[str]] = {}
    for policy, expression in conn.execute(
        "select polname::text, concat_ws(' ', pg_catalog.pg_get_expr(polqual, polrelid),"
        " pg_catalog.pg_get_expr(polwithcheck, polrelid)) from pg_catalog.pg_policy"
        " where polrelid = 'storage.objects'::regclass order by polname"
    ).fetchall():
        for bucket in policy_buckets(expression or ""):
            named.setdefault(bucket, []).append(policy)
    return named


def storage_buckets(conn: psycopg.Connection, named: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Every bucket ``access init`` declares: bucket id -> notes. The buckets of ``storage.buckets``, then
    those only a policy on ``storage.objects`` names (made by the dashboard, or by no migration), each
    with the names of the policies naming it (``named``: :func:`policies_naming_buckets`). Empty without
    Storage's schema."""
    if conn.execute("select to_regclass('storage.objects')").fetchone() == (None,):
        return {}
    existing: list[str] = []
    if conn.execute("select to_regclass('storage.buckets')").fetchone() != (None,):
        existing = [r[0] for r in conn.execute("select id from storage.buckets order by id").fetchall()]
    buckets: dict[str, list[str]] = {}
    for bucket in [*existing, *(b for b in named if b not in existing)]:
        notes = []
        if bucket in named:
            notes.append(f"policies on storage.objects naming it: {', '.join(named[bucket])}")
        else:
            notes.append("no policy on storage.objects names it (a policy for every bucket may still apply)")
        if bucket not in existing:
            notes.append("not in storage.buckets (no migration or seed makes it): each run makes it, rolled back")
        buckets[bucket] = notes
    return buckets
