"""``khepri-db test new``: a new pgTAP file, as ``supabase test new`` writes one."""

from __future__ import annotations

from pathlib import Path

from khepri_db.core.errors import UsageError


def new_test(tests_dir: Path, name: str) -> Path:
    """Write ``<tests_dir>/<name>_test.sql``, a pgTAP file with one assertion, as ``supabase test new`` does.

    Args:
        tests_dir: the tests directory (``supabase/tests``), created if missing.
        name: the test's name (letters, digits, ``_``, ``-``; may contain ``/`` for a subdirectory).

    Returns:
        The new file.

    Raises:
        UsageError: the name is empty or unusable, or the file already exists (never overwritten).
    """
    if (
        not name
        or name.startswith("/")
        or ".." in Path(name).parts
        or not all(part and all(c.isalnum() or c in "_-." for c in part) for part in name.split("/"))
    ):
        raise UsageError(f"test name {name!r} is not usable", hint="use letters, digits, '_' and '-', e.g. rls_todos")
    path = tests_dir / f"{name}_test.sql"
    if path.exists():
        raise UsageError(f"{path} already exists", hint="pick another name; an existing test is never overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NEW_TEST_TEMPLATE, encoding="utf-8")
    return path


NEW_TEST_TEMPLATE = """\
begin;
select plan(1);

-- pgTAP's assertions: https://pgtap.org/documentation.html
-- act as a role the way PostgREST does: set local role authenticated; and
-- select set_config('request.jwt.claims', '{"sub": "<user id>", "role": "authenticated"}', true);
select has_schema('public', 'the public schema exists');

select * from finish();
rollback;
"""
"""What :func:`new_test` writes: one assertion inside a rolled-back transaction (the Supabase CLI's
``pgtap`` template has the same shape)."""
