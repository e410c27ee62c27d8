"""Risks (issue 22): what verify-access observed that is dangerous whatever the declaration says, and
the ``--fail-on risk`` gate."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, Cli

from khepri_db.core.db import connect

GUESTBOOK = """
create table public.guestbook (id bigint generated always as identity primary key, message text not null);
alter table public.guestbook enable row level security;
create policy anyone_signs on public.guestbook for insert to anon, authenticated with check (true);
create policy anyone_reads on public.guestbook for select to anon, authenticated using (true);
grant select, insert on public.guestbook to anon, authenticated;
"""

DECLARED = """
[tables.guestbook]
description = "A public guestbook: anyone signs it, anyone reads it."
shared = true
row = { message = "hello" }
allow.anon = ["select", "insert"]
allow.owner = ["select", "insert"]
allow.other = ["select", "insert"]
allow.coach = ["select", "insert"]
allow.admin = ["select", "insert"]
allow.service_role = "all"
"""


def test_a_declared_public_write_holds_but_is_a_risk_and_fails_only_under_fail_on_risk(
    cli: Cli, khepri_clone_url: str, tmp_path: Path
) -> None:
    access = tmp_path / "access.toml"
    access.write_text((REPO / "supabase" / "access.toml").read_text() + DECLARED)
    code, clean = cli.json("verify-access", "--db-url", khepri_clone_url, "--fail-on", "risk")
    assert (code, clean["summary"]["risks"]) == (0, 0)  # Khepri's own matrix: no actor writes rows it does not own
    args = ("verify-access", "--db-url", khepri_clone_url, "--access-file", str(access))

    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute(GUESTBOOK)
    code, report = cli.json(*args)
    assert code == 0, report["summary"]  # every cell as declared
    risky = {c["id"]: c["risk"] for c in report["risks"]}
    assert set(risky) == {"public.guestbook:anon:insert", "public.guestbook:other:insert"}
    assert "anon (no sign-in" in risky["public.guestbook:anon:insert"]
    assert report["summary"]["risks"] == 2
    code, _ = cli.json(*args, "--fail-on", "risk")
    assert code == 1
    text = cli(*args, "--fail-on", "risk", cwd=REPO)
    assert "RISK public.guestbook:anon:insert: anon (no sign-in" in text.stdout
    assert "fail (--fail-on risk): 2 risk(s)" in text.stdout


def test_an_undeclared_write_by_anon_is_a_mismatch_and_a_risk(cli: Cli, khepri_clone_url: str) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("create policy anon_rewrites on public.goals for update to anon using (true) with check (true)")
        conn.execute("create policy anon_sees on public.goals for select to anon using (true)")
        conn.execute("grant select, update on public.goals to anon")
    code, report = cli.json("verify-access", "--db-url", khepri_clone_url, cwd=REPO)
    assert code == 1
    assert "public.goals:anon:update" in {c["id"] for c in report["mismatches"]}
    assert "public.goals:anon:update" in {c["id"] for c in report["risks"]}
    code, _ = cli.json("verify-access", "--db-url", khepri_clone_url, "--fail-on", "nonsense", cwd=REPO)
    assert code == 2
