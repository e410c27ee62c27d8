"""doctor's Python facts (khepri_db.doctor._facts) without a database: function rows analysed
anew or taken from the analysis cache give the same rows, and every change of a function's
inputs is a miss; the lexer's merged whitespace leaves the significant tokens as sqlparse has
them; a helper index built once answers as the pairs it was built from."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlparse import lexer
from sqlparse import tokens as sqltok

from khepri_db.core.plpgsql import Parameter
from khepri_db.core.sqltext import significant_tokens
from khepri_db.core.sqltext.tokens import _lex
from khepri_db.doctor import _facts as facts
from khepri_db.doctor._cache import CACHE_ENV, AnalysisCache
from khepri_db.doctor._identity import helper_index, identity_arguments

pytestmark = pytest.mark.pg

REPO = Path(__file__).resolve().parents[2]
SETTINGS = facts.FactsSettings(migrations_dir=None, excluded_schemas=(), identity_names=("user_id",))

DEFINER = """
declare
    v_total integer;
begin
    select count(*) into v_total from public.goals where user_id = p_user_id;
    insert into public.totals (user_id, total) values (p_user_id, v_total)
        on conflict (user_id) do update set total = excluded.total;
    return v_total;
end
"""


def _function(oid: int, name: str, body: str, **changes: Any) -> dict[str, Any]:
    """A row as sql/doctor/facts/functions.sql returns it."""
    row = {
        "oid": oid, "nspname": "public", "proname": name, "lanname": "plpgsql", "args": "p_user_id uuid",
        "body": body, "atomic": False, "sqlbody": None, "is_trigger": False, "returns_boolean": False,
        "security_definer": True, "search_path": "search_path=\"\"", "arg_names": ["p_user_id"], "arg_modes": [],
        "arg_types": ["uuid"],
    }  # fmt: skip
    row.update(changes)
    return row


FUNCTIONS = [
    _function(16401, "count_goals", DEFINER),
    _function(16402, "is_admin", "select auth.uid() is not null", lanname="sql", returns_boolean=True, args=""),
]


def test_the_analysis_cache_gives_the_rows_of_a_fresh_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = facts.analyse_functions(FUNCTIONS, SETTINGS, ["public"])
    assert fresh.statements
    assert fresh.upserts
    assert fresh.identity_arguments
    path = tmp_path / "functions-test.json"
    cache = AnalysisCache(path)
    assert facts.analyse_functions(FUNCTIONS, SETTINGS, ["public"], cache) == fresh
    cache.save()
    assert path.is_file()

    def analysed(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("analysed again")

    # Another run (another process, the functions recreated with new oids): every row from the cache,
    # with the oids of this run.
    monkeypatch.setattr(facts, "_analyse_function", analysed)
    moved = [dict(fn, oid=fn["oid"] + 100) for fn in FUNCTIONS]
    from_cache = facts.analyse_functions(moved, SETTINGS, ["public"], AnalysisCache(path))
    monkeypatch.undo()
    assert from_cache == facts.analyse_functions(moved, SETTINGS, ["public"])
    assert {row[0] for row in from_cache.statements} == {16501, 16502}


@pytest.mark.parametrize(
    "change",
    [
        {"body": DEFINER.replace("p_user_id, v_total", "p_user_id, v_total + 1")},  # create or replace
        {"search_path": None},  # alter function ... reset search_path
        {"arg_types": ["text"]},
        {"security_definer": False},
        {"proname": "count_all_goals"},
    ],
)
def test_any_change_of_a_function_is_a_cache_miss(
    change: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "functions-test.json"
    cache = AnalysisCache(path)
    facts.analyse_functions(FUNCTIONS, SETTINGS, ["public"], cache)
    cache.save()
    analysed: list[str] = []
    real = facts._analyse_function

    def counting(fn: Any, *args: Any) -> Any:
        analysed.append(fn["proname"])
        return real(fn, *args)

    monkeypatch.setattr(facts, "_analyse_function", counting)
    changed = [dict(FUNCTIONS[0], **change), FUNCTIONS[1]]
    found = facts.analyse_functions(changed, SETTINGS, ["public"], AnalysisCache(path))
    assert analysed == [changed[0]["proname"]]
    monkeypatch.undo()
    assert found == facts.analyse_functions(changed, SETTINGS, ["public"])


def test_the_context_of_every_function_is_part_of_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A new helper that reads the caller's identity, another default search_path or other identity
    # names change what every body's analysis says: nothing cached is used.
    path = tmp_path / "functions-test.json"
    cache = AnalysisCache(path)
    facts.analyse_functions(FUNCTIONS, SETTINGS, ["public"], cache)
    cache.save()
    helper = _function(16403, "current_user_id", "select auth.uid()", lanname="sql", args="", security_definer=False)
    runs = [
        ([*FUNCTIONS, helper], SETTINGS, ["public"]),
        (FUNCTIONS, SETTINGS, ["public", "extensions"]),
        (FUNCTIONS, facts.FactsSettings(None, (), ("user_id", "owner_id")), ["public"]),
    ]
    for functions, settings, path_setting in runs:
        analysed: list[str] = []
        real = facts._analyse_function

        def counting(fn: Any, *args: Any, real: Any = real, analysed: list[str] = analysed) -> Any:
            analysed.append(fn["proname"])
            return real(fn, *args)

        monkeypatch.setattr(facts, "_analyse_function", counting)
        facts.analyse_functions(functions, settings, path_setting, AnalysisCache(path))
        monkeypatch.undo()
        assert sorted(analysed) == sorted(fn["proname"] for fn in functions)


def test_the_analysis_cache_is_off_when_asked_and_survives_a_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = SimpleNamespace(info=SimpleNamespace(host="127.0.0.1", port=5432, dbname="postgres"))
    monkeypatch.setenv(CACHE_ENV, "off")
    assert AnalysisCache.for_database(conn) is None  # type: ignore[arg-type]
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    cache = AnalysisCache.for_database(conn)  # type: ignore[arg-type]
    assert cache is not None
    assert cache.path.parent == tmp_path
    other = AnalysisCache.for_database(SimpleNamespace(info=SimpleNamespace(host="h", port=5432, dbname="x")))  # type: ignore[arg-type]
    assert other is not None
    assert other.path != cache.path
    cache.path.write_text("{not json", encoding="utf-8")
    broken = AnalysisCache(cache.path)
    assert facts.analyse_functions(FUNCTIONS, SETTINGS, ["public"], broken) == facts.analyse_functions(
        FUNCTIONS, SETTINGS, ["public"]
    )
    broken.save()
    assert "{not json" not in cache.path.read_text(encoding="utf-8")


def test_merged_blanks_leave_sqlparse_significant_tokens() -> None:
    # _tokens lexes with runs of spaces and tabs as one token: the tokens it keeps (and their
    # offsets) must be sqlparse's own, on every SQL file of this repository and on random text.
    texts = [p.read_text(encoding="utf-8") for p in sorted(REPO.glob("s*/**/*.sql"))]
    alphabet = [*"$'\"()/*-;,. \t\t  \r\n_aZ09\\", "select", "end ", "$$", "/*", "*/", "--", "    ", "\t\t"]
    rng = random.Random(20)
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))) for _ in range(500)]
    skipped = (sqltok.Whitespace, sqltok.Comment, sqltok.Newline, sqltok.Text.Whitespace)
    for text in texts:
        merged = _lex(text, merge_blanks=True)
        assert "".join(v for _, v in merged) == text
        expected, offset = [], 0
        for ttype, value in lexer.tokenize(text):
            if not any(ttype in kind for kind in skipped):
                expected.append((ttype, value, offset))
            offset += len(value)
        assert [(t.ttype, t.value, t.offset) for t in significant_tokens(text)] == expected, text[:200]


def test_a_helper_index_answers_as_its_pairs() -> None:
    body = (
        "begin if not public.is_admin() then raise exception 'no'; end if; delete from t where user_id = p_user_id; end"
    )
    params = [Parameter("p_user_id", 1, "uuid")]
    pairs = [("public", "is_admin"), ("Other", "Is_Admin")]
    index = helper_index(pairs)
    assert helper_index(index) is index
    by_pairs = identity_arguments(body, "plpgsql", params, ["user_id"], authorization_functions=pairs)
    by_index = identity_arguments(body, "plpgsql", params, ["user_id"], authorization_functions=index)
    assert by_pairs == by_index
    assert by_index[0].checked
