"""Tenant roots (issue 22, item 1): on a schema whose tenancy is a membership table, access init gives
each owner an organisation of their own, so ``other`` is no member of the owner's and the matrix tests
isolation between tenants (before, the organisation was inferred as shared reference data and both
users belonged to it: ``other`` read and changed the owner's contacts, and nothing said so)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from khepri_db.access.access_init import init_access
from khepri_db.access.declaration import load_declaration
from khepri_db.access.probe import verify_access
from khepri_db.core.project import Project
from khepri_db.migrations.apply import migrate
from khepri_db.testing.plugin import DatabaseFactory
from tests.support import write_migration
from tests.support.databases import clone_of, migrated_template

pytestmark = pytest.mark.pg

NO_PROJECT = Project(Path(__file__).resolve().parent)

MEMBERSHIP = """
create table public.organizations (
    id uuid primary key default gen_random_uuid(),
    name text not null
);
create table public.organization_members (
    organization_id uuid not null references public.organizations (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    role text not null default 'member',
    primary key (organization_id, user_id)
);
create table public.contacts (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references public.organizations (id) on delete cascade,
    name text not null
);
create table public.plans (id text primary key, price integer not null);
create table public.subscriptions (
    user_id uuid primary key references auth.users (id) on delete cascade,
    plan_id text not null references public.plans (id)
);

create function public.get_authorized_orgs() returns setof uuid
language sql stable security definer set search_path = '' as $$
    select m.organization_id from public.organization_members as m where m.user_id = (select auth.uid())
$$;

alter table public.organizations enable row level security;
alter table public.organization_members enable row level security;
alter table public.contacts enable row level security;
alter table public.plans enable row level security;
alter table public.subscriptions enable row level security;

create policy members_read_their_orgs on public.organizations for select to authenticated
    using (id in (select public.get_authorized_orgs()));
create policy members_see_membership on public.organization_members for select to authenticated
    using (user_id = (select auth.uid()));
create policy members_use_contacts on public.contacts for all to authenticated
    using (organization_id in (select public.get_authorized_orgs()))
    with check (organization_id in (select public.get_authorized_orgs()));
create policy everyone_reads_plans on public.plans for select to anon, authenticated using (true);
create policy own_subscription on public.subscriptions for select to authenticated
    using (user_id = (select auth.uid()));

grant select on public.plans to anon;

-- tenancy read from the JWT (app_metadata.team_id): no membership table to make a tenant root from
create table public.teams (id uuid primary key default gen_random_uuid(), name text not null);
create table public.team_notes (
    id uuid primary key default gen_random_uuid(),
    team_id uuid not null references public.teams (id),
    body text not null
);
alter table public.teams enable row level security;
alter table public.team_notes enable row level security;
create policy team_reads on public.team_notes for select to authenticated
    using (team_id = ((select auth.jwt()) -> 'app_metadata' ->> 'team_id')::uuid);
grant select on public.team_notes to authenticated;
grant select, insert, update, delete on public.contacts to authenticated;
"""


@pytest.fixture(scope="session")
def membership_template(khepri_database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_template(khepri_database_factory, tmp_path_factory, "membership", MEMBERSHIP)


@pytest.fixture
def membership_db(membership_template: str, khepri_database_factory: DatabaseFactory) -> Iterator[str]:
    yield from clone_of(membership_template, khepri_database_factory)


def test_the_organisation_a_membership_table_links_users_to_is_a_tenant_root_and_isolation_is_tested(
    membership_db: str, tmp_path: Path
) -> None:
    path = tmp_path / "access.toml"
    result = init_access(membership_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    decl = load_declaration(path)
    organizations = decl.table("organizations")
    assert not organizations.spec.shared
    notes = {t.name: t.notes for t in result.tables}
    assert any(n.startswith("tenant root: public.organization_members") for n in notes["public.organizations"])
    # plans: referenced by subscriptions(user_id, plan_id), which no other table's policy reads: reference data
    assert decl.table("plans").spec.shared

    contacts = decl.table("contacts")
    assert contacts.allowed["owner"] == {"select", "insert", "update", "delete"}
    assert "other" not in contacts.allowed or not contacts.allowed["other"]  # another tenant: nothing

    report = verify_access(membership_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    cells = report.by_id()
    assert cells["public.contacts:other:select"].actual == "denied"
    assert cells["public.contacts:owner:select"].actual == "allowed"
    assert not [c.id for c in report.risks if c.object == "public.contacts"]


def test_a_shared_table_whose_policies_decide_per_user_leaves_other_undecided_isolation_untested(
    membership_db: str, tmp_path: Path
) -> None:
    path = tmp_path / "access.toml"
    init_access(membership_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    decl = load_declaration(path)
    notes = decl.table("team_notes")
    assert notes.spec.shared
    assert notes.spec.undecided["other"].startswith("isolation untested:")
    assert "other" not in decl.table("plans").spec.undecided  # reference data read by everybody: nothing to isolate
    report = verify_access(membership_db, path, project=NO_PROJECT, exposed_schemas=["public"])
    other = [c for c in report.cells if c.object == "public.team_notes" and c.actor == "other"]
    assert other
    assert all(c.verdict == "undecided" and not c.ok for c in other)  # never counted as a pass


CHATS = """
create table public.chats (id uuid primary key default gen_random_uuid(), kind text not null default 'direct',
    title text);
alter table public.chats enable row level security;
grant all on public.chats to authenticated;
create policy chats_insert on public.chats for insert to authenticated with check (true);
create policy chats_select on public.chats for select to authenticated using (true);
create policy chats_update on public.chats for update to authenticated using (true) with check (true);
create table public.chat_members (
    chat_id uuid not null references public.chats (id) on delete cascade,
    user_id uuid not null references auth.users (id),
    primary key (chat_id, user_id)
);
alter table public.chat_members enable row level security;
grant all on public.chat_members to authenticated;
create policy chat_members_select on public.chat_members for select to authenticated
    using (user_id = (select auth.uid()));
create policy chat_members_insert on public.chat_members for insert to authenticated
    with check (user_id = (select auth.uid()));
create table public.chat_messages (
    id uuid primary key default gen_random_uuid(),
    chat_id uuid not null references public.chats (id) on delete cascade,
    body text not null
);
alter table public.chat_messages enable row level security;
grant all on public.chat_messages to authenticated;
create policy chat_messages_select on public.chat_messages for select to authenticated
    using (chat_id in (select m.chat_id from public.chat_members as m where m.user_id = (select auth.uid())));
"""


def test_a_label_made_distinct_per_owner_is_not_an_owner_column(
    khepri_database_factory: DatabaseFactory, tmp_path: Path, migrations_dir: Path
) -> None:
    """A table whose columns all have defaults gets one text column set to a label with the owner's id
    in it ("title {user.id}"): the label makes rows distinct, it does not make the row the owner's.
    Read as ownership, it gave false risks and leaks on gauntletai-snapconnect's conversations
    ("other inserts rows owned by another user", "set title to theirs"): issue 22's comparison."""
    url = khepri_database_factory()
    write_migration(migrations_dir, "20260101000000_chats.sql", CHATS)
    migrate(url, migrations_dir)
    path = tmp_path / "access.toml"
    init_access(url, path, project=NO_PROJECT, exposed_schemas=["public"])
    chats = load_declaration(path).table("chats")
    labels = [v for v in (chats.spec.row or {}).values() if isinstance(v, str) and "{user.id}" in v]
    assert labels, chats.spec.row  # the case under test: a label, not a bare reference
    assert all(v != "{user.id}" for v in labels)
    report = verify_access(url, path, project=NO_PROJECT, exposed_schemas=["public"])
    chat_cells = [c for c in report.cells if c.object == "public.chats"]
    assert chat_cells
    # any user may rename any chat (update using (true)): a true risk, kept; inserting a chat of one's own
    # is not "a row owned by another user", and setting the label is no hand-over of the row
    assert [c.id for c in chat_cells if c.risk] == ["public.chats:other:update"]
    assert [c.id for c in chat_cells if c.leak] == []
    assert report.by_id()["public.chats:other:insert"].actual == "allowed"  # the probe ran: insert is open
    khepri_database_factory.drop(url)
