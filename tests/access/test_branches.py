"""A row per policy branch (issue 22, item 2a): ``[tables."notes#shared"]`` declares one more row of a
table, probed like a table, so that a permissive policy's second branch (``or sharing <> 'private'``,
a second permissive policy ``using (is_public)``) is exercised too; ``access init`` writes such rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from khepri_db.access.access_init import init_access
from khepri_db.access.declaration import AccessDeclarationError, load_declaration
from khepri_db.access.probe import verify_access
from khepri_db.core.db import connect
from khepri_db.core.project import Project
from khepri_db.migrations.apply import migrate
from khepri_db.testing.plugin import DatabaseFactory
from tests.support import Cli, write_migration

NO_PROJECT = Project(Path(__file__).resolve().parent)

# notes: one policy whose using has a top-level OR (the owner's, or any row not private);
# posts: two permissive select policies (the author's; published ones, for anon too).
BRANCHES = """
create type public.sharing as enum ('public', 'private', 'team');
create table public.notes (
    id bigint generated always as identity primary key,
    owner_id uuid not null references auth.users (id),
    sharing text not null check (sharing in ('public', 'private', 'link')),
    body text not null
);
create table public.posts (
    id bigint generated always as identity primary key,
    author_id uuid not null references auth.users (id),
    is_public boolean not null default false,
    title text not null
);
alter table public.notes enable row level security;
alter table public.posts enable row level security;
create policy notes_select on public.notes for select to authenticated
    using (owner_id = (select auth.uid()) or sharing <> 'private');
create policy notes_write on public.notes for all to authenticated
    using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
create policy posts_select_own on public.posts for select to authenticated using (author_id = (select auth.uid()));
create policy posts_select_public on public.posts for select to anon, authenticated using (is_public);
create policy posts_write on public.posts for all to authenticated
    using (author_id = (select auth.uid())) with check (author_id = (select auth.uid()));
grant select on public.posts to anon;
grant select, insert, update, delete on public.notes, public.posts to authenticated;
"""

# more shapes for access init: an enum whose first label opens the branch; a timestamp tested for null
# together with the role; two branches that both test the caller (no variant)
MORE_BRANCHES = """
create table public.albums (
    id bigint generated always as identity primary key,
    owner_id uuid not null references auth.users (id),
    visibility public.sharing not null
);
create table public.articles (
    id bigint generated always as identity primary key,
    author_id uuid not null references auth.users (id),
    published_at timestamptz
);
create table public.teams (id bigint generated always as identity primary key, name text not null);
create table public.team_members (
    team_id bigint not null references public.teams (id),
    user_id uuid not null references auth.users (id),
    primary key (team_id, user_id)
);
create table public.docs (
    id bigint generated always as identity primary key,
    owner_id uuid not null references auth.users (id),
    team_id bigint references public.teams (id)
);
create table public.settings (
    id bigint generated always as identity primary key,
    owner_id uuid not null references auth.users (id),
    team_id bigint references public.teams (id)
);
alter table public.settings enable row level security;
create policy settings_own on public.settings for all to authenticated using (owner_id = (select auth.uid()));
create policy settings_personal on public.settings for update to authenticated using (team_id is null);
create table public.likes (
    user_id uuid not null references auth.users (id),
    item text not null,
    is_public boolean not null default false
);
alter table public.likes enable row level security;
create policy likes_select on public.likes for select to authenticated
    using (user_id = (select auth.uid()) or is_public);
alter table public.albums enable row level security;
alter table public.articles enable row level security;
alter table public.teams enable row level security;
alter table public.team_members enable row level security;
alter table public.docs enable row level security;
create policy albums_all on public.albums for all to authenticated
    using (owner_id = (select auth.uid()) or visibility = 'public') with check (owner_id = (select auth.uid()));
create policy articles_own on public.articles for all to authenticated using (author_id = (select auth.uid()));
create policy articles_published on public.articles for select to authenticated
    using (published_at is not null and auth.role() = 'authenticated');
create policy members_own on public.team_members for select to authenticated using (user_id = (select auth.uid()));
create policy docs_all on public.docs for all to authenticated using (
    owner_id = (select auth.uid())
    or team_id in (select m.team_id from public.team_members as m where m.user_id = (select auth.uid()))
);
grant select, insert, update, delete on public.albums, public.articles, public.docs, public.teams,
    public.team_members, public.likes, public.settings to authenticated;
"""

DECLARED = """
version = 1

[tables.notes]
row = { owner_id = "{user.id}", sharing = "private", body = "mine" }
allow.owner = "all"
allow.service_role = "all"

[tables."notes#shared"]
description = "a note its owner shares: every signed-in user reads it"
row = { owner_id = "{user.id}", sharing = "public", body = "ours" }
allow.owner = "all"
allow.other = ["select"]
allow.service_role = "all"

[tables.posts]
row = { author_id = "{user.id}", title = "draft" }
allow.owner = "all"
allow.service_role = "all"

[tables."public.posts#published"]
row = { author_id = "{user.id}", title = "out", is_public = true }
allow.anon = ["select"]
allow.owner = "all"
allow.other = ["select"]
allow.service_role = "all"
"""


@pytest.fixture
def branches_db(khepri_database_factory: DatabaseFactory, migrations_dir: Path) -> str:
    url = khepri_database_factory()
    write_migration(migrations_dir, "20260101000000_branches.sql", BRANCHES)
    migrate(url, migrations_dir)
    yield url
    khepri_database_factory.drop(url)


def test_a_variant_row_is_probed_like_a_table_with_its_own_cells(branches_db: str, tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text(DECLARED)
    report = verify_access(branches_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert report.passed, [(c.id, c.actual, c.detail) for c in report.mismatches]
    cells = {c.id: c for c in report.cells}
    # the base rows test the private branch, the variants the shared one
    assert cells["public.notes:other:select"].actual == "denied"
    assert cells["public.notes#shared:other:select"].actual == "allowed"
    assert cells["public.notes#shared:anon:select"].actual == "denied"
    assert cells["public.notes#shared:other:update"].actual == "denied"
    assert cells["public.posts:anon:select"].actual == "denied"
    assert cells["public.posts#published:anon:select"].actual == "allowed"
    assert cells["public.posts#published:other:select"].actual == "allowed"
    assert cells["public.posts#published:other:delete"].actual == "denied"
    assert cells["public.posts#published:owner:insert"].actual == "allowed"
    assert {c.object for c in report.cells} == {
        "public.notes",
        "public.notes#shared",
        "public.posts",
        "public.posts#published",
    }
    for cell in report.cells:  # every request ran as its API role, no superuser, no BYPASSRLS but service_role
        assert cell.rights is not None, cell.id
        assert not cell.rights.superuser, cell.id
        assert not cell.rights.owns_rls_tables, cell.id
        assert cell.rights.current_user == {"anon": "anon", "service_role": "service_role"}.get(
            cell.actor, "authenticated"
        )
        assert cell.rights.bypassrls == (cell.actor == "service_role")


def test_every_report_names_the_variant_cells(branches_db: str, tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "access.toml"
    path.write_text(DECLARED)
    args = ("--db-url", branches_db, "--access-file", str(path), "--exposed-schemas", "public")
    code, report = cli.json("verify-access", *args)
    assert code == 0, report["summary"]
    assert {c["id"] for c in report["cells"]} == set(load_declaration(path).cell_ids())
    assert "public.notes#shared:other:select" in {c["id"] for c in report["cells"]}
    text = cli("verify-access", *args).stdout
    assert "public.notes#shared" in text
    assert "public.posts#published" in text
    html = tmp_path / "matrix.html"
    assert cli("verify-access", *args, "--html", str(html)).exit_code == 0
    assert "public.posts#published" in html.read_text()
    dry = cli("verify-access", *args, "--dry-run").stdout
    assert "public.notes#shared" in dry
    pgtap = tmp_path / "access_matrix_test.sql"
    done = cli("access", "export", "--pgtap", str(pgtap), *args[:4])
    assert done.exit_code == 0, done.stdout
    exported = pgtap.read_text()
    assert "-- public.notes#shared:other:select (allowed)" in exported
    assert "-- public.posts#published:anon:select (allowed)" in exported


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        ('[tables."notes#x"]\nrow = { body = "b" }\n', 3, "a variant of public.notes, which is not declared"),
        ('[tables.notes]\nrow = { body = "a" }\n[tables."notes#a-b"]\nrow = { body = "b" }\n', 5, "not a table name"),
        (
            '[tables.tags]\nshared = true\nrow = { name = "a" }\n[tables."tags#x"]\nrow = { name = "b" }\n',
            6,
            "public.tags is shared (one row for everybody), so it takes no variant",
        ),
        (
            '[tables.notes]\nrow = { body = "a" }\n[tables."notes#x"]\nrow = { body = "b" }\n'
            '[tables.pins]\nrow = { note_id = "{notes#x.id}" }\n',
            7,
            "{notes#x.id}: a variant row cannot be referenced",
        ),
    ],
)
def test_a_bad_variant_is_an_error_naming_its_line(tmp_path: Path, section: str, line: int, message: str) -> None:
    path = tmp_path / "access.toml"
    path.write_text("version = 1\n\n" + section)
    with pytest.raises(AccessDeclarationError) as caught:
        load_declaration(path)
    assert f"{path}:{line}: " in str(caught.value)
    assert message in str(caught.value)


def test_access_init_writes_a_row_per_branch_and_verify_access_passes_on_it(branches_db: str, tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    result = init_access(branches_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert result.verify["passed"], result.verify
    text = path.read_text()
    decl = load_declaration(path)
    names = [t.name for t in decl.tables]
    # notes: `owner_id = auth.uid() OR sharing <> 'private'`; posts: a second permissive policy `is_public`
    variants = [n for n in names if "#" in n]
    assert len(variants) == 2, names
    [notes_variant] = [decl.table(n) for n in variants if n.startswith("public.notes#")]
    [posts_variant] = [decl.table(n) for n in variants if n.startswith("public.posts#")]
    # the base rows meet only the caller's branch: private, not public
    notes, posts = decl.table("notes"), decl.table("posts")
    assert (notes.spec.row or {})["sharing"] == "private"
    assert (posts.spec.row or {}).get("is_public", False) is False
    assert (notes_variant.spec.row or {})["sharing"] != "private"
    assert (posts_variant.spec.row or {})["is_public"] is True
    # what the branches say, observed on the variants (and not on the base rows)
    assert notes.allowed.get("other", frozenset()) == frozenset()
    assert notes_variant.allowed["other"] == {"select"}
    assert "anon" not in notes_variant.allowed
    assert posts_variant.allowed["anon"] == {"select"}
    assert posts_variant.allowed["other"] == {"select"}
    assert "anon" not in posts.allowed
    assert notes_variant.allowed["owner"] == {"select", "insert", "update", "delete"}
    # written unreviewed, with the branch it exercises
    assert notes_variant.spec.unreviewed[0] == "row"
    assert "notes_select (select)" in text
    assert "`sharing <> 'private'::text`" in text
    assert "posts_select_public (select)" in text
    report = verify_access(branches_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert report.passed
    assert not report.undeclared


def test_access_init_finds_enum_null_and_role_branches_and_leaves_caller_only_branches(
    branches_db: str, tmp_path: Path
) -> None:
    with connect(branches_db, autocommit=True) as conn:
        conn.execute(MORE_BRANCHES)
    path = tmp_path / "access.toml"
    result = init_access(branches_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert result.verify["passed"], result.verify
    decl = load_declaration(path)
    variants = {t.relation: t for t in decl.tables if t.variant}
    assert set(variants) == {
        "public.notes",
        "public.posts",
        "public.albums",
        "public.articles",
        "public.likes",
        "public.settings",
    }
    # the enum's first label, 'public', is what the base row took before: now it is a private one
    assert (decl.table("albums").spec.row or {})["visibility"] != "public"
    assert (variants["public.albums"].spec.row or {})["visibility"] == "public"
    # `for all ... using (... or visibility = 'public')`: anyone signed in deletes a public album (an update
    # is held by with check); the base row alone never showed it
    assert variants["public.albums"].allowed["other"] == {"select", "delete"}
    assert not decl.table("albums").allowed.get("other")
    report = verify_access(branches_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    assert "public.albums#visibility_public:other:delete" in {c.id for c in report.risks}
    assert not {c.id for c in report.risks if c.object == "public.albums"}
    assert (variants["public.articles"].spec.row or {})["published_at"] == {"sql": "now()"}
    assert variants["public.articles"].allowed["other"] == {"select"}
    assert "published_at" not in (decl.table("articles").spec.row or {})
    assert "public.docs" not in variants  # both branches test the caller: nothing to add
    # no primary key: the variant is found by its own values, the branch's column among them
    assert '"is_public" = {row.is_public}' in (variants["public.likes"].spec.match or "")
    assert variants["public.likes"].allowed["other"] == {"select"}
    assert not decl.table("likes").allowed.get("other")
    # a reference left out: `team_id is null` opens updates of personal rows, yet an UPDATE must also see the
    # row through a SELECT policy, and only the owner's does: other is still refused, as Postgres decides
    assert (decl.table("settings").spec.row or {})["team_id"] == "{teams.id}"
    assert (variants["public.settings"].spec.row or {})["team_id"] == {"sql": "null"}
    assert variants["public.settings"].allowed.get("other") is None
    assert variants["public.settings"].allowed["owner"] == {"select", "insert", "update", "delete"}
