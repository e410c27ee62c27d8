"""Storage in the access matrix (issue 22, item 3): ``[storage.<bucket>]`` in access.toml, each actor's
read, upload, overwrite and delete of the owner's object probed as Supabase Storage runs them (rows of
``storage.objects`` under RLS), and ``access init`` declaring the buckets it finds.

The schema is a small app of our own: a private ``avatars`` bucket with the classic per-user-folder
policies (``(storage.foldername(name))[1] = auth.uid()::text``) and a public ``public-assets`` bucket
anyone may read, whose writes check ``owner_id`` but not the path.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from khepri_db.access.access_init import init_access
from khepri_db.access.declaration import AccessDeclarationError, load_declaration
from khepri_db.access.probe import verify_access
from khepri_db.core.db import connect
from khepri_db.core.project import Project
from khepri_db.testing.plugin import DatabaseFactory
from tests.support import Cli, database_state, scalar
from tests.support.databases import clone_of, migrated_template

pytestmark = pytest.mark.pg

NO_PROJECT = Project(Path(__file__).resolve().parent)

SCHEMA = """
insert into storage.buckets (id, name, public) values ('avatars', 'avatars', false);
insert into storage.buckets (id, name, public) values ('public-assets', 'public-assets', true);

create policy avatars_select_own on storage.objects for select to authenticated
    using (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy avatars_insert_own on storage.objects for insert to authenticated
    with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy avatars_update_own on storage.objects for update to authenticated
    using (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text)
    with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy avatars_delete_own on storage.objects for delete to authenticated
    using (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);

create policy public_assets_read on storage.objects for select to anon, authenticated
    using (bucket_id = 'public-assets');
create policy public_assets_insert on storage.objects for insert to authenticated
    with check (bucket_id = 'public-assets' and owner_id = (select auth.uid())::text);
create policy public_assets_update on storage.objects for update to authenticated
    using (bucket_id = 'public-assets' and owner_id = (select auth.uid())::text)
    with check (bucket_id = 'public-assets' and owner_id = (select auth.uid())::text);
create policy public_assets_delete on storage.objects for delete to authenticated
    using (bucket_id = 'public-assets' and owner_id = (select auth.uid())::text);
"""

DECLARATION = """\
version = 1

[storage.avatars]
description = "one folder per user: {uid}/avatar.png"
allow.owner = "all"
allow.service_role = "all"

[storage.public-assets]
path = "{user.id}/logo.png"
metadata = { mimetype = "image/png" }
allow.anon = ["select"]
allow.owner = "all"
allow.other = ["select", "insert"]
allow.service_role = "all"
"""

AVATARS = "storage.objects[avatars]"
PUBLIC = "storage.objects[public-assets]"


@pytest.fixture(scope="module")
def storage_template(khepri_database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with the compatibility layer and the two buckets' policies, cloned by ``storage_db``."""
    return migrated_template(khepri_database_factory, tmp_path_factory, "storage", SCHEMA)


@pytest.fixture
def storage_db(storage_template: str, khepri_database_factory: DatabaseFactory) -> Iterator[str]:
    yield from clone_of(storage_template, khepri_database_factory)


@pytest.fixture
def access_file(tmp_path: Path) -> Path:
    path = tmp_path / "access.toml"
    path.write_text(DECLARATION, encoding="utf-8")
    return path


def _storage_rows(url: str) -> tuple[int, int, int]:
    with connect(url) as conn:
        return (
            scalar(conn, "select count(*) from storage.objects"),
            scalar(conn, "select count(*) from storage.buckets"),
            scalar(conn, "select count(*) from auth.users"),
        )


def test_per_user_folders_and_a_public_bucket_verify_as_declared_and_leave_nothing(
    storage_db: str, access_file: Path
) -> None:
    before, rows_before = database_state(storage_db), _storage_rows(storage_db)
    report = verify_access(storage_db, access_file, exposed_schemas=["public"])
    assert not report.mismatches, [c.describe() for c in report.mismatches]
    assert len(report.cells) == 2 * 4 * 4  # two buckets x anon, owner, other, service_role x four operations
    cells = report.by_id()
    for op in ("select", "insert", "update", "delete"):
        assert cells[f"{AVATARS}:owner:{op}"].actual == "allowed"
        assert cells[f"{AVATARS}:other:{op}"].actual == "denied"
        assert cells[f"{AVATARS}:anon:{op}"].actual == "denied"
        assert cells[f"{AVATARS}:service_role:{op}"].actual == "allowed"
    assert cells[f"{AVATARS}:owner:select"].detail == "1 row visible"
    assert cells[f"{AVATARS}:owner:delete"].detail == "1 row deleted"  # storage.allow_delete_query set, as Storage
    assert cells[f"{PUBLIC}:anon:select"].actual == "allowed"
    assert cells[f"{PUBLIC}:other:update"].actual == "denied"
    # the public bucket's writes check owner_id, never the path: another user can upload into the owner's
    # folder (declared, since it is what the policies say), which is a risk whatever the declaration says
    assert {c.id for c in report.risks} == {f"{PUBLIC}:other:insert"}
    assert "upload into another user's path" in (cells[f"{PUBLIC}:other:insert"].risk or "")
    for cell in report.cells:  # every request ran as its API role, without BYPASSRLS but for service_role
        assert cell.rights is not None, cell.id
        assert not cell.rights.superuser, cell.id
        assert cell.rights.current_user == {"anon": "anon", "service_role": "service_role"}.get(
            cell.actor, "authenticated"
        )
        assert cell.rights.bypassrls == (cell.actor == "service_role")
    assert report.notes == []
    assert database_state(storage_db) == before
    assert _storage_rows(storage_db) == rows_before


def test_a_select_policy_on_the_bucket_only_is_flagged_in_exactly_the_cells_it_breaks(
    storage_db: str, access_file: Path
) -> None:
    with connect(storage_db, autocommit=True) as conn:
        conn.execute("drop policy avatars_select_own on storage.objects")
        conn.execute(
            "create policy avatars_select_any on storage.objects for select to authenticated "
            "using (bucket_id = 'avatars')"
        )
    report = verify_access(storage_db, access_file, exposed_schemas=["public"])
    assert {c.id for c in report.mismatches} == {f"{AVATARS}:other:select"}
    assert report.by_id()[f"{AVATARS}:other:select"].actual == "allowed"


def test_an_upload_policy_that_checks_only_the_bucket_lets_others_write_the_owners_folder(
    storage_db: str, access_file: Path
) -> None:
    with connect(storage_db, autocommit=True) as conn:
        conn.execute("drop policy avatars_insert_own on storage.objects")
        conn.execute(
            "create policy avatars_insert_any on storage.objects for insert to anon, authenticated "
            "with check (bucket_id = 'avatars')"
        )
    report = verify_access(storage_db, access_file, exposed_schemas=["public"])
    broken = {f"{AVATARS}:anon:insert", f"{AVATARS}:other:insert"}
    assert {c.id for c in report.mismatches} == broken
    assert {c.id for c in report.risks} == broken | {f"{PUBLIC}:other:insert"}


def test_a_bucket_no_migration_makes_is_made_for_the_run_and_said(storage_db: str, tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text('version = 1\n\n[storage.invoices]\nallow.service_role = "all"\n', encoding="utf-8")
    rows_before = _storage_rows(storage_db)
    report = verify_access(storage_db, path, exposed_schemas=["public"])
    assert report.passed, [c.describe() for c in report.mismatches]
    assert len(report.notes) == 1
    assert "bucket 'invoices' is not in storage.buckets" in report.notes[0]
    assert _storage_rows(storage_db) == rows_before


def test_the_declaration_is_validated_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text(
        'version = 1\n\n[storage.avatars]\npath = "{nothing.id}/a.txt"\nallow.owner = ["upload"]\n'
        'allow.ghost = ["select"]\nundecided = { "owner:list" = "x" }\n',
        encoding="utf-8",
    )
    with pytest.raises(AccessDeclarationError) as caught:
        load_declaration(path)
    message = str(caught.value)
    assert f"{path}:3: storage.avatars.path: {{nothing.id}} refers to nothing declared" in message
    assert f"{path}:3: storage.avatars.allow.owner: 'upload' not an operation" in message
    assert "'ghost' is not an actor" in message
    assert "'owner:list' is not *, an actor or actor:operation" in message
    path.write_text('version = 1\n[storage.avatars]\nallow.owner = "all"\n', encoding="utf-8")
    decl = load_declaration(path)
    assert decl.storage[0].spec.path == "{user.id}/khepri-probe.txt"
    assert f"{AVATARS}:owner:select" in decl.cell_ids()


def test_the_cli_reports_storage_cells_in_text_json_and_html(
    cli: Cli, storage_db: str, access_file: Path, tmp_path: Path
) -> None:
    args = ("verify-access", "--db-url", storage_db, "--access-file", str(access_file), "--exposed-schemas", "public")
    code, report = cli.json(*args)
    assert code == 0, report["summary"]
    assert {c["kind"] for c in report["cells"]} == {"storage"}
    assert [r["id"] for r in report["risks"]] == [f"{PUBLIC}:other:insert"]
    html = tmp_path / "matrix.html"
    text = cli(*args, "--html", str(html))
    assert AVATARS in text.stdout
    assert f"RISK {PUBLIC}:other:insert" in text.stdout
    assert f"bucket {AVATARS}" in html.read_text()


def test_access_init_declares_every_bucket_and_every_bucket_a_policy_names(
    cli: Cli, storage_db: str, tmp_path: Path
) -> None:
    with connect(storage_db, autocommit=True) as conn:  # a bucket only a policy names (made by the dashboard)
        conn.execute(
            "create policy docs_read on storage.objects for select to authenticated using (bucket_id = 'docs')"
        )
    out = tmp_path / "access.toml"
    before = database_state(storage_db)
    result = cli("access", "init", "--db-url", storage_db, "--access-file", str(out), "--exposed-schemas", "public")
    assert result.exit_code == 0, result.stdout
    written = tomllib.loads(out.read_text())
    assert set(written["storage"]) == {"avatars", "public-assets", "docs"}
    avatars = written["storage"]["avatars"]
    assert avatars["allow"]["owner"] == "all"
    assert "anon" not in avatars["allow"]
    assert "other" not in avatars["allow"]
    assert "owner" in avatars["unreviewed"]
    assert written["storage"]["public-assets"]["allow"]["anon"] == ["select"]
    assert written["storage"]["docs"]["allow"]["owner"] == ["select"]
    report = verify_access(storage_db, out, exposed_schemas=["public"])
    assert report.passed, [c.describe() for c in report.mismatches]
    assert database_state(storage_db) == before


ON_UPLOAD = """
create table public.documents (
    id bigint generated always as identity primary key,
    object_id uuid not null references storage.objects (id),
    created_by uuid not null,
    authorization_header text
);
alter table public.documents enable row level security;
create function public.on_upload() returns trigger language plpgsql security definer set search_path = '' as $$
begin
    insert into public.documents (object_id, created_by, authorization_header)
    values (new.id, new.owner, current_setting('request.headers')::json->>'authorization');
    return null;
end
$$;
create trigger on_upload after insert on storage.objects for each row execute function public.on_upload();
"""


def test_objects_an_upload_trigger_references_are_made_in_a_request_and_cleared_for_deletes(
    storage_db: str, tmp_path: Path
) -> None:
    # A trigger reading request.headers (Storage sets it) and rows referencing the object: the owner's
    # object is made within the owner's request settings, and a delete clears what references it.
    with connect(storage_db, autocommit=True) as conn:
        conn.execute(ON_UPLOAD)
    path = tmp_path / "access.toml"
    path.write_text(
        'version = 1\n\n[tables.documents]\nunbuildable = "made by the upload trigger"\n\n'
        '[storage.avatars]\nallow.owner = "all"\nallow.service_role = ["select", "update", "delete"]\n'
        'undecided = { "service_role:insert" = "the trigger needs an uploader (no sub)" }\n',
        encoding="utf-8",
    )
    report = verify_access(storage_db, path, exposed_schemas=["public"])
    assert not report.mismatches, [c.describe() for c in report.mismatches]
    cells = report.by_id()
    assert cells[f"{AVATARS}:owner:delete"].detail == "1 row deleted"
    assert cells[f"{AVATARS}:owner:insert"].detail == "1 row uploaded (a new object in the owner's folder)"
    assert cells[f"{AVATARS}:service_role:insert"].sqlstate == "23502"  # created_by: the service key has no sub


def test_the_pgtap_export_leaves_the_storage_cells_out_and_says_so(storage_db: str, access_file: Path) -> None:
    from khepri_db.access.pgtap_export import export_pgtap

    text = export_pgtap(storage_db, access_file)
    assert f"-- Not exported: the Storage cells of {AVATARS}, {PUBLIC}" in text
    assert "storage.objects" not in text.split("begin;", 1)[1]  # no object made, no Storage request


def test_access_init_leaves_out_a_bucket_whose_object_the_default_path_does_not_fit_and_says_so(
    cli: Cli, storage_db: str, tmp_path: Path
) -> None:
    # As on open-bsp: a trigger reads the file name as a uuid, so `{user.id}/khepri-probe.txt` cannot be made.
    with connect(storage_db, autocommit=True) as conn:
        conn.execute("insert into storage.buckets (id, name) values ('media', 'media')")
        conn.execute(
            "create function public.media_names() returns trigger language plpgsql as $$ begin "
            "if new.bucket_id = 'media' then perform split_part(new.name, '/', 2)::uuid; end if; return new; end $$"
        )
        conn.execute(
            "create trigger media_names before insert on storage.objects for each row "
            "execute function public.media_names()"
        )
    out = tmp_path / "access.toml"
    result = cli("access", "init", "--db-url", storage_db, "--access-file", str(out), "--exposed-schemas", "public")
    assert result.exit_code == 1, result.stdout + result.stderr  # written, but incomplete: the bucket needs a path
    text = out.read_text()
    written = tomllib.loads(text)
    assert "media" not in written["storage"]
    assert {"avatars", "public-assets"} <= set(written["storage"])
    assert "# [storage.media] is not declared: its owner's object could not be made" in text
    assert "invalid input syntax for type uuid" in text


def test_a_bucket_whose_policies_match_no_actor_at_the_default_path_is_undecided_not_denied(
    storage_db: str, tmp_path: Path
) -> None:
    """Policies that expect another folder layout (``reports/<uid>/...``) admit nobody at the default
    path ``{user.id}/khepri-probe.txt``: the owner is refused its own object, so every denial there says
    nothing about the policies. access init writes those cells undecided, with why; a bucket no policy
    names stays decided (denied to all is what RLS does there)."""
    with connect(storage_db, autocommit=True) as conn:
        conn.execute("insert into storage.buckets (id, name, public) values ('reports', 'reports', false)")
        conn.execute("insert into storage.buckets (id, name, public) values ('vault', 'vault', false)")
        for op in ("select", "insert", "update", "delete"):
            using = "using" if op != "insert" else "with check"
            conn.execute(
                f"create policy reports_{op} on storage.objects for {op} to authenticated {using} "
                "(bucket_id = 'reports' and (storage.foldername(name))[1] = 'reports' "
                "and (storage.foldername(name))[2] = (select auth.uid())::text)"
            )
    out = tmp_path / "access.toml"
    init_access(storage_db, out, project=NO_PROJECT, exposed_schemas=["public"])
    written = tomllib.loads(out.read_text())
    reports = written["storage"]["reports"]
    assert set(reports["undecided"]) == {"anon", "owner", "other"}
    assert all(
        why.startswith("path not matched: policies name the bucket (reports_") for why in reports["undecided"].values()
    )
    assert reports["allow"] == {"service_role": "all"}
    assert "undecided" not in written["storage"]["vault"]  # no policy names it: denied to all is decided
    assert "undecided" not in written["storage"]["avatars"]  # its policies match the default path
    report = verify_access(storage_db, out, exposed_schemas=["public"])
    cells = [c for c in report.cells if c.object == "storage.objects[reports]" and c.actor != "service_role"]
    assert len(cells) == 12
    assert all(c.verdict == "undecided" and not c.ok for c in cells)
