"""supabase/seed.sql: the demo data passes every constraint, loads twice without duplicates, and
the seeded coach link really grants coach access."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from khepri_db.core.db import connect
from khepri_db.core.session import AuthUser, as_user
from khepri_db.migrations.seed import seed
from tests.support import REPO, Cli
from tests.support.khepri import KHEPRI_TABLES

pytestmark = pytest.mark.pg

SEED = REPO / "supabase" / "seed.sql"
COACH = UUID("5eed0000-0000-4000-8000-000000000004")


def table_counts(url: str) -> dict[str, int]:
    with connect(url) as conn:
        return {t: conn.execute(f"select count(*) from public.{t}").fetchone()[0] for t in KHEPRI_TABLES}  # type: ignore[index]


def test_seed_loads_the_demo_world(khepri_clone_url: str) -> None:
    result = seed(khepri_clone_url, [SEED], seed_key=lambda _p: "supabase/seed.sql")
    assert [s.name for s in result.seeded] == ["supabase/seed.sql"]
    with connect(khepri_clone_url) as conn:
        sports = dict(conn.execute(
            "select a.display_name, array_agg(distinct w.sport order by w.sport) from public.athletes a "
            "join public.workouts w on w.athlete_id = a.id group by a.display_name"
        ).fetchall())  # fmt: skip
        active_plans = conn.execute(
            "select count(*) filter (where w.status = 'completed'), count(*) filter (where w.status = 'skipped') "
            "from public.training_plans p join public.workouts w on w.plan_id = p.id "
            "where p.status = 'active' and p.name = 'Sub-50 10K block'"
        ).fetchone()
        checkin_days = conn.execute(
            "select athlete_id, count(*), max(checkin_date) - min(checkin_date) from public.daily_checkins "
            "group by athlete_id"
        ).fetchall()
        goal_types = {r[0] for r in conn.execute("select goal_type from public.goals")}
        constraint_types = {r[0] for r in conn.execute("select constraint_type from public.constraints")}
        link = conn.execute("select status, accepted_at is not null from public.coach_links").fetchall()
    assert sports == {"Demo Runner": ["rest", "run"], "Demo Triathlete": ["bike", "run", "swim"],
                      "Demo Lifter": ["strength"]}  # fmt: skip
    assert active_plans == (5, 2)
    assert sorted((n, span) for _, n, span in checkin_days) == [(14, 13), (14, 13)]  # two weeks each
    assert goal_types == {"race", "performance", "strength"}
    assert constraint_types == {"injury", "travel", "availability"}
    assert link == [("active", True)]
    assert table_counts(khepri_clone_url)["methodologies"] == 4


def test_seeding_twice_or_forced_duplicates_nothing(khepri_clone_url: str) -> None:
    seed(khepri_clone_url, [SEED])
    before = table_counts(khepri_clone_url)
    again = seed(khepri_clone_url, [SEED])
    forced = seed(khepri_clone_url, [SEED], force=True)
    assert again.seeded == []
    assert again.seeds_skipped[0][1] == "already applied and unchanged"
    assert len(forced.seeded) == 1
    assert table_counts(khepri_clone_url) == before


def test_the_seeded_coach_reads_the_runners_data(khepri_clone_url: str) -> None:
    seed(khepri_clone_url, [SEED])
    coach = AuthUser(COACH, "demo.coach@khepri.test")
    with connect(khepri_clone_url) as conn, as_user(conn, coach):
        visible = conn.execute(
            "select (select count(*) from public.daily_checkins), (select count(*) from public.workouts), "
            "(select count(*) from public.athletes)"
        ).fetchone()
    assert visible == (14, 9, 0)  # the runner's check-ins and sessions; never her profile


def test_seed_cli_reports_json(cli: Cli, khepri_clone_url: str, tmp_path: Path) -> None:
    code, data = cli.json("seed", "--db-url", khepri_clone_url, "--file", str(SEED))
    assert code == 0
    assert len(data["seeded"]) == 1
    code, data = cli.json("seed", "--db-url", khepri_clone_url, "--file", str(tmp_path / "missing.sql"))
    assert code == 2
    assert "does not exist" in data["error"]["message"]
