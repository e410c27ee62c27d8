"""The khepri_net and khepri_cron fixtures as a user's project sees them (pytester).

The project's migration enables pg_net and pg_cron with schema extensions, as Supabase projects do,
and schedules a job whose command posts a webhook; its tests drive both through the fixtures. The
throwaway project runs on this session's server (url engine), so no extra server is started.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.pg

pytest_plugins = ["pytester"]

MIGRATION = """
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron with schema extensions;

create function public.notify_signup() returns bigint
language sql
as $$
    select net.http_post('https://hooks.example.com/signup', body := '{"event": "signup"}'::jsonb)
$$;

select cron.schedule('notify-nightly', '0 3 * * *', 'select public.notify_signup()');
"""

USER_TESTS = """
def test_the_job_is_recorded_not_run(khepri_cron, khepri_net):
    [job] = khepri_cron.jobs()
    assert (job["jobname"], job["schedule"]) == ("notify-nightly", "0 3 * * *")
    assert khepri_net.requests() == []

def test_running_the_job_records_the_webhook(db, khepri_cron, khepri_net):
    run = khepri_cron.run("notify-nightly")
    assert run.status == "succeeded", run.return_message
    [request] = khepri_net.requests()
    assert (request.method, request.url) == ("POST", "https://hooks.example.com/signup")
    assert request.json() == {"event": "signup"}
    khepri_net.respond(request.id, status_code=204)
    status = db.execute("select (net._http_collect_response(%s)).response.status_code", (request.id,)).fetchone()
    assert status == (204,)
"""


@pytest.fixture
def project(pytester: pytest.Pytester, khepri_server_url: str, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in ("KHEPRI_TEST_ENGINE", "KHEPRI_TEST_ISOLATION", "KHEPRI_MIGRATIONS_DIR", "KHEPRI_ACCESS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KHEPRI_TEST_DB_URL", khepri_server_url)
    migrations = pytester.path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "20260101000000_webhooks.sql").write_text(MIGRATION, encoding="utf-8")
    return pytester


def test_net_and_cron_fixtures_in_a_users_project(project: pytest.Pytester, khepri_server_url: str) -> None:
    from khepri_db.core.db import connect

    with connect(khepri_server_url) as conn:
        if conn.execute("select count(*) from pg_available_extensions where name = 'pg_cron'").fetchone() == (0,):
            pytest.skip(
                "this server has no pg_cron stand-in: only servers khepri-db starts (embedded, system) get them"
            )
    project.makepyfile(test_webhooks=USER_TESTS)
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
