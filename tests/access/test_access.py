"""The declared access matrix (khepri_db.access.probe, `khepri-db verify-access`) on a small Supabase-style schema.

The schema here is not Khepri's: a notes app with profiles, coach links, a shared reference table
(writable by an admin recognised by app_metadata), a security-invoker view and two RPCs, so the
checker is shown to work for any project, with custom actors (coach, admin). Every test runs the
real matrix against a fresh database migrated with it; the broken-policy tests plant one bug each
and assert exactly which cells the checker flags.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from khepri_db.access.declaration import AccessDeclarationError, load_declaration
from khepri_db.access.probe import verify_access
from khepri_db.access.report import AccessReport, CoverageCheck
from khepri_db.core.db import connect
from khepri_db.core.errors import RoleSwitchError
from khepri_db.core.project import Project
from khepri_db.testing.plugin import DatabaseFactory
from tests.support import Cli, scalar
from tests.support.databases import clone_of, migrated_template

pytestmark = [pytest.mark.pg, pytest.mark.docker_rerun]

SCHEMA = """
create table public.profiles (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null unique references auth.users (id) on delete cascade,
    name text not null
);
alter table public.profiles enable row level security;
create policy profiles_select on public.profiles for select to authenticated using (user_id = (select auth.uid()));
create policy profiles_insert on public.profiles for insert to authenticated with check (user_id = (select auth.uid()));
create policy profiles_update on public.profiles for update to authenticated
    using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy profiles_delete on public.profiles for delete to authenticated using (user_id = (select auth.uid()));
revoke all on public.profiles from anon;

create function public.my_profile_ids() returns setof uuid language sql stable security definer set search_path = ''
as $$ select p.id from public.profiles as p where p.user_id = (select auth.uid()) $$;
revoke execute on function public.my_profile_ids() from public, anon;
grant execute on function public.my_profile_ids() to authenticated, service_role;

create table public.coach_links (
    id uuid primary key default gen_random_uuid(),
    profile_id uuid not null references public.profiles (id) on delete cascade,
    coach_id uuid not null references auth.users (id) on delete cascade,
    active boolean not null default true,
    unique (profile_id, coach_id)
);
alter table public.coach_links enable row level security;
create policy coach_links_select on public.coach_links for select to authenticated
    using (profile_id in (select public.my_profile_ids()) or coach_id = (select auth.uid()));
create policy coach_links_insert on public.coach_links for insert to authenticated
    with check (profile_id in (select public.my_profile_ids()));
create policy coach_links_update on public.coach_links for update to authenticated
    using (profile_id in (select public.my_profile_ids())) with check (profile_id in (select public.my_profile_ids()));
create policy coach_links_delete on public.coach_links for delete to authenticated
    using (profile_id in (select public.my_profile_ids()));
revoke all on public.coach_links from anon;

create table public.notes (
    id uuid primary key default gen_random_uuid(),
    profile_id uuid not null references public.profiles (id) on delete cascade,
    body text not null check (char_length(body) between 1 and 1000)
);
alter table public.notes enable row level security;
create policy notes_select on public.notes for select to authenticated using (
    profile_id in (select public.my_profile_ids())
    or profile_id in (
        select l.profile_id from public.coach_links as l where l.coach_id = (select auth.uid()) and l.active
    )
);
create policy notes_insert on public.notes for insert to authenticated
    with check (profile_id in (select public.my_profile_ids()));
create policy notes_update on public.notes for update to authenticated
    using (profile_id in (select public.my_profile_ids())) with check (profile_id in (select public.my_profile_ids()));
create policy notes_delete on public.notes for delete to authenticated
    using (profile_id in (select public.my_profile_ids()));
revoke all on public.notes from anon;

create view public.my_notes with (security_invoker = true) as select id, profile_id, body from public.notes;

create table public.categories (
    id uuid primary key default gen_random_uuid(),
    name text not null unique
);
alter table public.categories enable row level security;
create policy categories_select on public.categories for select to authenticated using (true);
create policy categories_insert on public.categories for insert to authenticated
    with check (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');
create policy categories_update on public.categories for update to authenticated
    using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin')
    with check (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');
create policy categories_delete on public.categories for delete to authenticated
    using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');
revoke all on public.categories from anon;

create function public.add_note(body text) returns uuid language plpgsql security invoker set search_path = ''
as $$
declare
    v_profile uuid;
    v_id uuid;
begin
    select p.id into v_profile from public.profiles as p where p.user_id = (select auth.uid());
    if v_profile is null then
        raise exception using errcode = '42501', message = 'add_note needs a signed-in user with a profile';
    end if;
    insert into public.notes (profile_id, body) values (v_profile, add_note.body) returning id into v_id;
    return v_id;
end;
$$;
revoke execute on function public.add_note(text) from public, anon;
grant execute on function public.add_note(text) to authenticated;

create function public.note_count() returns bigint language sql stable security invoker set search_path = ''
as $$ select count(*) from public.notes $$;
"""

DECLARATION = """\
version = 1

[actors.coach]
description = "a user with an active coach link to the owner's profile"

[actors.admin]
app_metadata = { role = "admin" }

[tables.profiles]
row = { user_id = "{user.id}", name = "Profile of {user.email}" }
allow.owner = "all"
allow.service_role = "all"

[tables.coach_links]
row = { profile_id = "{profiles.id}", coach_id = "{coach.id}" }
allow.owner = "all"
allow.coach = ["select"]
allow.service_role = "all"

[tables.notes]
row = { profile_id = "{profiles.id}", body = "a note" }
allow.owner = "all"
allow.coach = ["select"]
allow.service_role = "all"

[tables.my_notes]
match = "id = {notes.id}"
update_columns = ["body"]
allow.owner = ["select", "update", "delete"]
allow.coach = ["select"]
allow.service_role = ["select", "update", "delete"]

[tables.categories]
shared = true
row = { name = "category {run.id}" }
allow.owner = ["select"]
allow.other = ["select"]
allow.coach = ["select"]
allow.admin = "all"
allow.service_role = "all"

[functions."public.add_note"]
call = "select public.add_note('from the matrix')"
allow = ["owner", "other"]

[functions."public.note_count"]
allow = ["owner", "other", "coach", "admin", "service_role"]

[functions."public.my_profile_ids"]
call = "select * from public.my_profile_ids()"
allow = ["owner", "other", "coach", "admin", "service_role"]
"""

PROJECT = Project(Path(__file__).resolve().parent)  # no supabase/ here: exposed schemas default to public
ACTORS = ("anon", "owner", "other", "coach", "admin", "service_role")


@pytest.fixture(scope="session")
def notes_template(khepri_database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with the compatibility layer and the notes schema, cloned by ``notes_db``."""
    return migrated_template(khepri_database_factory, tmp_path_factory, "notes", SCHEMA)


@pytest.fixture
def notes_db(notes_template: str, khepri_database_factory: DatabaseFactory) -> Iterator[str]:
    """A fresh copy of the notes database for one test."""
    yield from clone_of(notes_template, khepri_database_factory)


@pytest.fixture
def access_file(tmp_path: Path) -> Path:
    path = tmp_path / "access.toml"
    path.write_text(DECLARATION, encoding="utf-8")
    return path


def run(url: str, path: Path, **kwargs) -> AccessReport:
    return verify_access(url, path, project=PROJECT, exposed_schemas=["public"], **kwargs)


def execute(url: str, statements: str) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute(statements)


def flagged(report: AccessReport) -> set[str]:
    return {c.id for c in report.mismatches}


# -- a correct schema passes, and every cell proves its rights -------------------------------------


def test_a_correct_schema_matches_its_declaration_cell_by_cell(notes_db: str, access_file: Path) -> None:
    report = run(notes_db, access_file)
    assert [m.describe() for m in report.mismatches] == []
    assert report.undeclared == []
    assert report.passed
    assert report.actors == list(ACTORS)
    declaration = load_declaration(access_file)
    assert [c.id for c in report.cells] == declaration.cell_ids()  # every declared cell ran, once
    assert len(report.cells) == 5 * 6 * 4 + 3 * 6


def test_every_cell_ran_as_an_api_role_without_superuser_bypassrls_or_ownership(
    notes_db: str, access_file: Path
) -> None:
    report = run(notes_db, access_file)
    for cell in report.cells:
        if cell.actual == "skipped":
            continue
        assert cell.rights is not None, cell.id
        expected_role = {"anon": "anon", "service_role": "service_role"}.get(cell.actor, "authenticated")
        assert cell.rights.current_user == expected_role, cell.id
        assert not cell.rights.superuser, cell.id
        assert cell.rights.bypassrls == (cell.actor == "service_role"), cell.id
        assert not cell.rights.owns_rls_tables, cell.id
        cell.check()
    # each cell's rights were read for it; equal rights are one shared (frozen) instance
    shared = {c.rights for c in report.cells if c.rights is not None}
    assert len(shared) == len({id(c.rights) for c in report.cells if c.rights is not None}) == 3


def test_statements_rendered_once_per_table_and_operation_decide_as_statements_rendered_per_cell(
    notes_db: str, access_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A table's select, update and delete statement is rendered once for every actor's cell
    # (_Runner._rendered): the cells are those of a run rendering it anew for each cell.
    from khepri_db.access._runner import Runner as _Runner

    def outcomes(report: AccessReport) -> list[tuple[str, str, str | None, str, str | None]]:
        return [(c.id, c.actual, c.sqlstate, c.detail, c.leak) for c in report.cells]

    kept = run(notes_db, access_file)
    rendered: list[tuple[str, str]] = []
    original = _Runner._rendered

    def anew(self: _Runner, key: tuple[str, str], build):  # type: ignore[no-untyped-def]
        rendered.append(key)
        self._statements.pop(key, None)
        return original(self, key, build)

    monkeypatch.setattr(_Runner, "_rendered", anew)
    assert outcomes(run(notes_db, access_file)) == outcomes(kept)
    assert len(rendered) > len(set(rendered)) > 0  # every cell rendered its own


def test_the_cells_say_what_happened(notes_db: str, access_file: Path) -> None:
    report = run(notes_db, access_file)
    assert report.cell("notes", "owner", "select").detail == "1 row visible"
    assert report.cell("notes", "other", "select").detail == "0 rows: filtered out by RLS"
    assert report.cell("notes", "other", "update").actual == "denied"
    anon = report.cell("notes", "anon", "select")
    assert (anon.actual, anon.sqlstate) == ("denied", "42501")
    assert "permission denied for table notes" in anon.detail
    forged = report.cell("notes", "other", "insert")
    assert "new row violates row-level security policy" in forged.detail
    assert report.cell("notes", "coach", "select").actual == "allowed"  # through the active coach link
    assert report.cell("categories", "admin", "insert").actual == "allowed"  # app_metadata.role = admin
    assert report.cell("categories", "owner", "insert").actual == "denied"
    assert report.cell("my_notes", "owner", "insert").actual == "skipped"  # a view without a row: nothing to insert
    refused = report.cell("add_note", "service_role", "execute")
    assert (refused.actual, refused.detail) == (
        "denied",
        "add_note needs a signed-in user with a profile [SQLSTATE 42501]",
    )
    # note_count runs for anon (default EXECUTE grant) but reading notes inside it is refused: denied.
    assert "permission denied for table notes" in report.cell("note_count", "anon", "execute").detail


def test_the_run_leaves_nothing_behind(notes_db: str, access_file: Path) -> None:
    count = "select (select count(*) from auth.users) + (select count(*) from public.profiles) " \
        "+ (select count(*) from public.notes) + (select count(*) from public.categories)"  # fmt: skip
    with connect(notes_db) as conn:
        before = scalar(conn, count)
    run(notes_db, access_file)
    with connect(notes_db) as conn:
        assert scalar(conn, count) == before == 0


# -- broken policies are caught, exactly where they break ------------------------------------------

NOTES_OWNER = "profile_id in (select public.my_profile_ids())"


@pytest.mark.parametrize(
    ("bug", "expected"),
    [
        pytest.param(
            "drop policy notes_select on public.notes;"
            "create policy notes_select on public.notes for select to authenticated using (true);",
            {"public.notes:other:select", "public.notes:admin:select",
             "public.my_notes:other:select", "public.my_notes:admin:select"},
            id="select-using-true",
        ),
        pytest.param(
            "drop policy notes_select on public.notes;"
            f"create policy notes_select on public.notes for select to anon using ({NOTES_OWNER});",
            # The policy meant for signed-in users applies to anon: owners and coaches see nothing, and
            # update/delete (whose WHERE needs a visible row) and add_note's RETURNING fail with it.
            {"public.notes:owner:select", "public.notes:owner:update", "public.notes:owner:delete",
             "public.notes:coach:select", "public.my_notes:owner:select", "public.my_notes:owner:update",
             "public.my_notes:owner:delete", "public.my_notes:coach:select",
             "public.add_note:owner:execute", "public.add_note:other:execute"},
            id="policy-for-the-wrong-role",
        ),
        pytest.param(
            "revoke insert on public.notes from authenticated;",
            {"public.notes:owner:insert", "public.add_note:owner:execute", "public.add_note:other:execute"},
            id="missing-grant",
        ),
        pytest.param(
            "alter table public.notes disable row level security;",
            {*(f"public.notes:{a}:{op}" for a in ("other", "admin") for op in ("select", "insert", "update", "delete")),
             "public.notes:coach:insert", "public.notes:coach:update", "public.notes:coach:delete",
             "public.notes:owner:update",  # allowed as declared, but the row can now be handed over: a leak
             *(f"public.my_notes:{a}:{op}" for a in ("other", "admin") for op in ("select", "update", "delete")),
             "public.my_notes:coach:update", "public.my_notes:coach:delete"},
            id="rls-disabled",
        ),
    ],
)  # fmt: skip
def test_a_broken_policy_is_flagged_in_exactly_the_cells_it_breaks(
    notes_db: str, access_file: Path, bug: str, expected: set[str]
) -> None:
    assert run(notes_db, access_file).passed
    execute(notes_db, bug)
    report = run(notes_db, access_file)
    assert flagged(report) == expected
    assert not report.passed


def test_an_update_whose_with_check_does_not_pin_the_owner_is_a_leak(notes_db: str, access_file: Path) -> None:
    # Notes readable by every signed-in user, and an update policy whose with check is (true): the
    # owner may edit their note, but may also move it to another user's profile.
    execute(
        notes_db,
        "drop policy notes_select on public.notes;"
        "create policy notes_select on public.notes for select to authenticated using (true);"
        "drop policy notes_update on public.notes;"
        f"create policy notes_update on public.notes for update to authenticated using ({NOTES_OWNER}) "
        "with check (true);",
    )
    report = run(notes_db, access_file)
    readable = {"public.notes:other:select", "public.notes:admin:select",
                "public.my_notes:other:select", "public.my_notes:admin:select"}  # fmt: skip
    assert flagged(report) == {*readable, "public.notes:owner:update"}
    cell = report.cell("notes", "owner", "update")
    assert (cell.expected, cell.actual) == ("allowed", "allowed")  # the plain update is fine...
    assert cell.leak is not None
    assert "hand the row over to the other owner (set profile_id to theirs)" in cell.leak  # ...moving it is not
    with pytest.raises(AssertionError, match="LEAK"):
        cell.check()


COACHED = (
    "profile_id in (select l.profile_id from public.coach_links as l where l.coach_id = (select auth.uid()) "
    "and l.active)"
)


def test_a_coach_who_may_update_cannot_move_rows_to_any_owner_they_reach(notes_db: str, access_file: Path) -> None:
    # The bug Khepri's training tables had: coaches may change their athletes' rows, and the with
    # check asks only that the new owner be someone the author reaches. Moving the row to the other
    # (unrelated) owner fails, so a probe aimed only there sees nothing; aimed at the coach's own
    # rows, at a second athlete of the same coach, or (for the owner) at an athlete the owner
    # coaches, the row moves.
    reach = f"profile_id in (select public.my_profile_ids()) or {COACHED}"
    execute(
        notes_db,
        "drop policy notes_update on public.notes;"
        f"create policy notes_update on public.notes for update to authenticated using ({reach}) with check ({reach});",
    )
    declaration = DECLARATION.replace(
        'allow.coach = ["select"]\nallow.service_role = "all"\n\n[tables.my_notes]',
        'allow.coach = ["select", "update"]\nallow.service_role = "all"\n\n[tables.my_notes]',
    ).replace('allow.coach = ["select"]\nallow.service_role = ["select"', 'allow.coach = ["select", "update"]\n'
              'allow.service_role = ["select"')  # fmt: skip
    assert declaration.count('allow.coach = ["select", "update"]') == 2  # the table and the view on it
    access_file.write_text(declaration, encoding="utf-8")
    report = run(notes_db, access_file)
    assert flagged(report) == {"public.notes:coach:update", "public.notes:owner:update"}
    coach = report.cell("notes", "coach", "update")
    assert (coach.expected, coach.actual) == ("allowed", "allowed")
    assert coach.leak is not None
    assert "the other owner" not in coach.leak  # the with check does hold against strangers
    assert "coach could hand the row over to the coach's own rows (set profile_id to theirs)" in coach.leak
    assert "coach could hand the row over to another owner whose coach is the same user" in coach.leak
    owner = report.cell("notes", "owner", "update")
    assert owner.leak is not None
    assert "owner could hand the row over to an owner whose coach is the owner" in owner.leak

    # Pinning the owner (here with a trigger, as Khepri does) closes every one of them.
    execute(
        notes_db,
        "create function public.keep_profile() returns trigger language plpgsql set search_path = '' as $$ begin "
        "if new.profile_id <> old.profile_id then raise exception using errcode = '42501', message = 'no'; end if; "
        "return new; end $$;"
        "revoke execute on function public.keep_profile() from public, anon, authenticated;"
        "create trigger notes_keep_profile before update on public.notes for each row "
        "execute function public.keep_profile();",
    )
    report = run(notes_db, access_file)
    assert report.passed, [m.describe() for m in report.mismatches]


def test_a_lax_with_check_is_held_by_the_select_policy_only_against_rows_the_author_cannot_see(
    notes_db: str, access_file: Path
) -> None:
    # An UPDATE that reads the table (PostgREST always filters, so always) must also leave a row its
    # author can select. The notes select policy shows a user their own notes and those of the
    # people they coach: with check (true) cannot move a note to a stranger, but it can move it to
    # someone the author coaches, whose notes the author sees.
    execute(
        notes_db,
        "drop policy notes_update on public.notes;"
        f"create policy notes_update on public.notes for update to authenticated using ({NOTES_OWNER}) "
        "with check (true);",
    )
    report = run(notes_db, access_file)
    assert flagged(report) == {"public.notes:owner:update"}
    leak = report.cell("notes", "owner", "update").leak
    assert leak is not None
    assert "the other owner" not in leak
    assert "owner could hand the row over to an owner whose coach is the owner (set profile_id to theirs)" in leak


def test_an_update_policy_without_with_check_reuses_using_and_is_not_a_leak(notes_db: str, access_file: Path) -> None:
    # PostgreSQL applies USING to the new row when an UPDATE policy has no WITH CHECK, so omitting
    # it cannot move a row to another owner; the handover probe proves that rather than assuming it.
    execute(
        notes_db,
        "drop policy notes_update on public.notes;"
        f"create policy notes_update on public.notes for update to authenticated using ({NOTES_OWNER});",
    )
    report = run(notes_db, access_file)
    assert report.passed
    assert report.cell("notes", "owner", "update").leak is None


def test_a_coach_link_that_is_not_active_takes_the_coach_access_away(notes_db: str, access_file: Path) -> None:
    access_file.write_text(
        DECLARATION.replace('coach_id = "{coach.id}" }', 'coach_id = "{coach.id}", active = false }'), encoding="utf-8"
    )
    report = run(notes_db, access_file)
    assert flagged(report) == {"public.notes:coach:select", "public.my_notes:coach:select"}


def test_a_cell_that_cannot_be_decided_is_an_error(notes_db: str, access_file: Path) -> None:
    access_file.write_text(
        DECLARATION.replace('row = { profile_id = "{profiles.id}", body = "a note" }',
                            'row = { profile_id = "{profiles.id}", body = "a note" }\ninsert_row = { profile_id = '
                            '"{profiles.id}", body = "" }'),
        encoding="utf-8",
    )  # fmt: skip
    report = run(notes_db, access_file)
    cell = report.cell("notes", "owner", "insert")
    assert (cell.actual, cell.sqlstate, cell.ok) == ("error", "23514", False)
    assert "notes_body_check" in cell.detail


# -- coverage: every exposed table, view and function is declared ---------------------------------


def test_undeclared_exposed_objects_fail_the_check(notes_db: str, access_file: Path) -> None:
    execute(
        notes_db,
        "create table public.secrets (id int primary key); create view public.v as select 1 as x;"
        "create function public.f(a int) returns int language sql as 'select a';"
        "create schema private; create table private.hidden (id int primary key);",
    )
    report = run(notes_db, access_file)
    assert [(u.kind, u.name) for u in report.undeclared] == [
        ("table", "public.secrets"), ("view", "public.v"), ("function", "public.f(integer)"),
    ]  # fmt: skip
    assert report.mismatches == []
    assert not report.passed
    with pytest.raises(AssertionError, match=r"declared nowhere: table public\.secrets; view public\.v"):
        CoverageCheck(report.undeclared).check()
    assert verify_access(notes_db, access_file, project=PROJECT, exposed_schemas=["private"]).undeclared == [
        type(report.undeclared[0])(kind="table", name="private.hidden")
    ]


# -- the declaration is checked, with file and line ------------------------------------------------


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ('allow.coach = ["select"]\nallow.service_role = "all"\n\n[tables.notes]',
         'allow.coach = ["selct"]\nallow.service_role = "all"\n\n[tables.notes]',
         r"access\.toml:14: tables\.coach_links\.allow\.coach: 'selct' not an operation"),
        ('allow = ["owner", "other"]', 'allow = ["owner", "ghost"]',
         r"access\.toml:42: functions\.public\.add_note\.allow: 'ghost' is not an actor"),
        ('"{profiles.id}", coach_id', '"{profile.id}", coach_id',
         r"access\.toml:14: tables\.coach_links\.row\.profile_id: \{profile\.id\} refers to nothing declared"),
        ('row = { user_id = "{user.id}", name = "Profile of {user.email}" }',
         'row = { user_id = "{user.id}", name = "{notes.body}" }',
         r"the row factories refer to each other in a cycle"),
        ("[actors.admin]", "[actors.owner]", r"access\.toml:6: actors\.owner: 'owner' is a built-in actor"),
        ("[tables.categories]\nshared = true", "[tables.categories]\nshard = true",
         r"access\.toml:33: tables\.categories\.shard: Extra inputs are not permitted"),
        ("version = 1", "version = [", r"invalid TOML"),
    ],
)  # fmt: skip
def test_an_invalid_declaration_is_refused_naming_file_line_and_key(
    access_file: Path, replace: str, by: str, message: str
) -> None:
    assert replace in DECLARATION
    access_file.write_text(DECLARATION.replace(replace, by, 1), encoding="utf-8")
    with pytest.raises(AccessDeclarationError, match=message) as caught:
        load_declaration(access_file)
    assert caught.value.exit_code == 2


def test_a_declaration_that_does_not_fit_the_database_is_refused(notes_db: str, access_file: Path) -> None:
    access_file.write_text(
        DECLARATION + '\n[tables.ghosts]\nrow = { id = 1 }\n\n[functions."public.nope"]\nallow = []\n',
        encoding="utf-8",
    )
    with pytest.raises(AccessDeclarationError) as caught:
        run(notes_db, access_file)
    assert "access.toml:53: table public.ghosts does not exist" in caught.value.message
    assert "access.toml:56: functions.public.nope: function public.nope does not exist" in caught.value.message


def test_a_failing_row_factory_names_the_table_and_the_error(notes_db: str, access_file: Path) -> None:
    access_file.write_text(DECLARATION.replace('body = "a note"', 'body = ""', 1), encoding="utf-8")
    with pytest.raises(AccessDeclarationError, match=r"access\.toml:20: tables\.notes\.row: making the owner's row "
                       r"failed: new row for relation \"notes\" violates check constraint"):  # fmt: skip
        run(notes_db, access_file)
    with connect(notes_db) as conn:
        assert scalar(conn, "select count(*) from auth.users") == 0  # the setup was rolled back


def test_a_role_that_owns_the_tables_stops_the_run(notes_db: str, access_file: Path) -> None:
    # RLS does not apply to a table's owner: a matrix run as one would prove nothing.
    execute(notes_db, "alter table public.notes owner to authenticated;")
    with pytest.raises(RoleSwitchError, match=r"owns RLS-protected tables, so RLS does not apply to it: public\.notes"):
        run(notes_db, access_file)


# -- the command line -------------------------------------------------------------------------------


def test_verify_access_cli_exit_codes_and_json(cli: Cli, notes_db: str, access_file: Path) -> None:
    args = ("verify-access", "--db-url", notes_db, "--access-file", str(access_file), "--exposed-schemas", "public")
    code, data = cli.json(*args)
    assert code == 0
    assert data["passed"] is True
    assert data["summary"] == {
        "cells": 138, "held": 138, "undecided": 0, "mismatches": 0, "errors": 0, "leaks": 0, "risks": 0,
        "accepted_risks": 0, "exposures": 0, "undeclared": 0, "unreviewed": 0,
    }  # fmt: skip
    assert data["actors"] == list(ACTORS)
    assert {c["id"] for c in data["cells"]} == set(load_declaration(access_file).cell_ids())

    execute(notes_db, "alter table public.notes disable row level security; create table public.extra (id int);")
    code, data = cli.json(*args)
    assert code == 1
    assert data["passed"] is False
    assert {"kind": "table", "name": "public.extra"} in data["undeclared"]
    assert any(m["id"] == "public.notes:other:select" and m["actual"] == "allowed" for m in data["mismatches"])

    text = cli(*args)
    assert text.exit_code == 1
    assert "MISMATCH public.notes:other:select: declared denied, actual allowed (1 row visible)" in text.stdout
    assert "UNDECLARED table public.extra" in text.stdout
    assert "public.notes" in text.stdout
    assert "siud" in text.stdout  # the owner's column of a fully allowed table

    access_file.write_text("version = 2\n", encoding="utf-8")
    code, data = cli.json(*args)
    assert code == 2
    assert data["error"]["type"] == "AccessDeclarationError"


def test_verify_access_cli_help_explains_the_rules(cli: Cli) -> None:
    result = cli("verify-access", "--help")
    assert result.exit_code == 0
    assert "--access-file" in result.stdout
    assert "Exit 0" in result.stdout


def test_verify_access_refuses_an_unmigrated_database(empty_db_url: str, access_file: Path) -> None:
    with pytest.raises(AccessDeclarationError, match=r"table public\.profiles does not exist") as caught:
        run(empty_db_url, access_file)
    assert caught.value.hint is not None
    assert "khepri-db migrate" in caught.value.hint


def test_json_report_round_trips(notes_db: str, access_file: Path) -> None:
    report = run(notes_db, access_file)
    again = AccessReport.model_validate(json.loads(report.model_dump_json()))
    assert again.by_id().keys() == report.by_id().keys()


def test_denied_sqlstates_lets_an_rpc_answer_not_found(notes_db: str, access_file: Path) -> None:
    # An RPC that, like Khepri's, answers "not found" (P0002) for rows the caller may not see.
    execute(
        notes_db,
        """
        create function public.note_body(note_id uuid) returns text
        language plpgsql stable security invoker set search_path = '' as $$
        declare v_body text;
        begin
            select n.body into v_body from public.notes as n where n.id = note_body.note_id;
            if v_body is null then
                raise exception using errcode = 'P0002', message = 'note not found';
            end if;
            return v_body;
        end $$;
        revoke execute on function public.note_body(uuid) from public, anon;
        grant execute on function public.note_body(uuid) to authenticated;
        """,
    )
    declared = DECLARATION + '\n[functions."public.note_body"]\ncall = "select public.note_body({notes.id})"\n'
    declared += 'allow = ["owner", "coach", "service_role"]\n'
    access_file.write_text(declared, encoding="utf-8")
    cell = run(notes_db, access_file).cell("public.note_body", "other", "execute")
    assert (cell.actual, cell.sqlstate, cell.ok) == ("error", "P0002", False)  # undecidable without the key

    access_file.write_text(declared + 'denied_sqlstates = ["P0002"]\n', encoding="utf-8")
    report = run(notes_db, access_file)
    assert [m.describe() for m in report.mismatches] == []
    assert report.cell("public.note_body", "other", "execute").actual == "denied"
    assert report.cell("public.note_body", "coach", "execute").actual == "allowed"

    access_file.write_text(declared + 'denied_sqlstates = ["not-a-state"]\n', encoding="utf-8")
    with pytest.raises(AccessDeclarationError, match="denied_sqlstates"):
        load_declaration(access_file)


def test_the_section_lines_found_through_the_header_index_are_those_a_scan_finds() -> None:
    # _validate indexes the [section.key] headers once instead of scanning the file per key: the same
    # line for every key (bare, dotted, quoted either way, with spaces or a ']' inside, absent, only
    # named in another line, or declared twice), on a hand-made file and on Khepri's own declaration.
    from khepri_db.access._validate import IndexedLines as _IndexedLines
    from khepri_db.access._validate import section_line as _section_line

    made = """
version = 1
[tables]
inline = { row = {} }
[ tables . athletes ]  # a comment
[tables."public.plans"]
[tables.'public.sessions' ]
[tables.public.goals]
[functions."public.f(uuid, text)"]
[storage."odd]bucket"]
[storage.'quoted"inside']
[tables.athletes]
[actors.coach]
[tablesX.nope]
allow.other = "athletes"
""".splitlines()
    own = (Path(__file__).resolve().parents[2] / "supabase" / "access.toml").read_text(encoding="utf-8").splitlines()
    for lines in (made, own):
        indexed = _IndexedLines(lines)
        extra = {"inline", "nope", "absent", "public.goals", "odd]bucket", '"public.plans"'}
        keys = {k for _, k in indexed.headers} | extra
        for section in ("tables", "functions", "storage", "actors", "tablesX"):
            for key in keys:
                assert _section_line(indexed, section, key) == _section_line(list(lines), section, key), (section, key)
    assert _section_line(_IndexedLines(made), "tables", "athletes") == 5
    assert _section_line(_IndexedLines(made), "storage", "odd]bucket") == 10


def test_tables_and_references_found_through_the_name_index_are_those_a_scan_finds() -> None:
    # Declaration.table() and resolve() look names up in a dict built once, not in a scan or a set
    # rebuilt per call: the same answers, unqualified names, unknown names and custom actors included.
    from khepri_db.access.declaration import find_references
    from khepri_db.access.declaration import resolve_reference as _resolve_ref

    decl = load_declaration(Path(__file__).resolve().parents[2] / "supabase" / "access.toml")
    names = {t.name for t in decl.tables}
    for table in decl.tables:
        assert decl.table(table.name) is next(t for t in decl.tables if t.name == table.name)
        assert decl.table(table.name.removeprefix("public.")) is decl.table(table.name)
        values = " ".join(str(v) for v in (table.spec.row or {}).values())
        for text in [*find_references(values), "coach.id", "user.id", "nowhere.id", "public.nowhere.id"]:
            assert decl.resolve(text) == _resolve_ref(text, names, set(decl.custom_actors)), text
    with pytest.raises(KeyError):
        decl.table("public.nowhere")
