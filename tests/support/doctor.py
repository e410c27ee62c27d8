"""Running doctor's rules in the doctor tests: plant a defect, read one rule's findings."""

from __future__ import annotations

from khepri_db.core.db import connect
from khepri_db.core.project import Project
from khepri_db.doctor.rules import Finding
from khepri_db.doctor.run import run_doctor
from tests.support import REPO

PROJECT = Project(REPO)
"""This repository as the project doctor reads (its supabase/ directory: config, migrations)."""


def plant(url: str, sql: str) -> None:
    """Run ``sql`` (several statements allowed) on ``url`` and commit."""
    with connect(url, autocommit=True) as conn:
        conn.execute(sql)


def findings(url: str, rule: str, **kwargs) -> list[Finding]:
    """The findings of one rule on ``url``."""
    return list(run_doctor(url, project=PROJECT, only=[rule], **kwargs).findings)


def names(found: list[Finding], key: str = "name") -> set:
    """``metadata[key]`` of each finding."""
    return {f.metadata[key] for f in found}


# The seeds' bug (seed 000/001): profiles.auth_user_id had an index, but no unique constraint,
# and finalize_onboarding upserted on it. Postgres accepts the function and fails every call.
SEED_BUG = """
create table public.profiles (
    id uuid primary key default gen_random_uuid(),
    auth_user_id uuid references auth.users (id),
    display_name text
);
alter table public.profiles enable row level security;
create policy profiles_select_owner on public.profiles for select to authenticated
    using (auth_user_id = (select auth.uid()));
create index profiles_auth_user_id_idx on public.profiles (auth_user_id);
create function public.seed_finalize_onboarding(p_display_name text) returns uuid
language plpgsql security definer set search_path = public as $$
declare v_id uuid;
begin
    insert into profiles (auth_user_id, display_name)
    values (auth.uid(), p_display_name)
    on conflict (auth_user_id) do update set display_name = excluded.display_name
    returning id into v_id;
    return v_id;
end $$;
revoke execute on function public.seed_finalize_onboarding(text) from public, anon;
"""
