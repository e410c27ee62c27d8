"""The pgroonga stand-in (sql/extensions/pgroonga/): its access method (C, built when the engine
starts the server) and its operators (SQL).

No real PGroonga runs here, so nothing is differential: the index side is checked against what
PostgreSQL requires of any index (writes, VACUUM, REINDEX, CREATE INDEX CONCURRENTLY, DROP) and
against PGroonga's storage parameters (an unknown one refused, SQLSTATE 22023, as by PGroonga); the
search side against the matching docs/extensions/pgroonga.md documents (Groonga's query syntax:
words are ANDed, OR, -word, "phrases", word*, parentheses, escapes; NFKC + lower-case
normalisation). Supabase's own image test of PGroonga (`&@~ 'Hello'`, `'supports'`, `'powerful'`
on four rows) is replayed as is. The stand-in exists only on servers khepri-db starts, built with a C
compiler: elsewhere these tests skip (tests/engines/test_extension_staging.py checks that it is built here).
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from khepri_db.migrations.apply import migrate
from tests.support import write_migration

pytestmark = pytest.mark.pg


def _has_pgroonga(conn: psycopg.Connection) -> bool:
    row = conn.execute("select count(*) from pg_available_extensions where name = 'pgroonga'").fetchone()
    return bool(row and row[0])


@pytest.fixture
def pg(db: psycopg.Connection) -> psycopg.Connection:
    """The ``db`` connection with pgroonga created in ``extensions`` and a table of dishes."""
    if not _has_pgroonga(db):
        pytest.skip("the pgroonga stand-in is staged only on servers khepri-db starts (and builds)")
    db.execute("create schema if not exists extensions")
    db.execute("create extension pgroonga with schema extensions")
    db.execute("set local search_path = public, extensions")
    db.execute(
        "create table public.dishes (id int primary key, name text, tags text[], meta jsonb, "
        "code varchar(20), created_at timestamptz default now())"
    )
    db.execute(
        "insert into public.dishes (id, name, tags, meta, code) values "
        "(1, 'Борщ украинский', '{суп,красный}', '{\"note\": \"Hello World\", \"n\": 1}', 'BR-1'), "
        "(2, 'Pasta Carbonara', '{italian}', '{}', 'PC-2'), "
        "(3, 'Суп гороховый', null, null, null), "
        "(4, 'PGroonga supports (C++) and ＰｏｓｔｇｒｅＳＱＬ', '{}', '[\"nested\", {\"deep\": \"Groonga\"}]', 'pg')"
    )
    return db


def _ids(conn: psycopg.Connection, where: str, *params: object) -> list[int]:
    rows = conn.execute(f"select id from public.dishes where {where} order by id", params).fetchall()
    return [row[0] for row in rows]


def _error(conn: psycopg.Connection, query: str, params: object = None) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as caught, conn.transaction():
        conn.execute(query, params)
    return caught.value


def test_extension_has_supabases_name_version_and_access_method(pg: psycopg.Connection) -> None:
    row = pg.execute(
        "select e.extversion, e.extnamespace::regnamespace::text, e.extrelocatable, a.amtype, "
        "(select p.pronamespace::regnamespace::text || '.' || p.proname from pg_proc as p where p.oid = a.amhandler) "
        "from pg_extension as e, pg_am as a "
        "where e.extname = 'pgroonga' and a.amname = 'pgroonga'"
    ).fetchone()
    assert row == ("3.2.5", "extensions", True, "i", "extensions.pgroonga_handler")
    defaults = pg.execute(
        "select c.opcintype::regtype::text, c.opcname from pg_opclass as c join pg_am as a on a.oid = c.opcmethod "
        "where a.amname = 'pgroonga' and c.opcdefault order by 1"
    ).fetchall()
    assert dict(defaults) == {
        "bigint": "pgroonga_int8_ops",
        "boolean": "pgroonga_bool_ops",
        "character varying": "pgroonga_varchar_term_search_ops_v2",
        "character varying[]": "pgroonga_varchar_array_term_search_ops_v2",
        "double precision": "pgroonga_float8_ops",
        "integer": "pgroonga_int4_ops",
        "jsonb": "pgroonga_jsonb_ops_v2",
        "real": "pgroonga_float4_ops",
        "smallint": "pgroonga_int2_ops",
        "text": "pgroonga_text_full_text_search_ops_v2",
        "text[]": "pgroonga_text_array_full_text_search_ops_v2",
        "timestamp with time zone": "pgroonga_timestamptz_ops",
        "timestamp without time zone": "pgroonga_timestamp_ops",
    }


def test_an_index_takes_pgroongas_storage_parameters(pg: psycopg.Connection) -> None:
    # savchenkoa/fatbook's index, as its migration writes it
    pg.execute(
        "create index dishes_name_idx on public.dishes using pgroonga (name) with ("
        "normalizers='NormalizerNFKC150(\"unify_alphabet\", true)', "
        'tokenizer=\'TokenNgram("n", 2, "unify_alphabet", true, "loose_symbol", true)\')'
    )
    pg.execute("create index dishes_mecab_idx on public.dishes using pgroonga (name) with (tokenizer='TokenMecab')")
    pg.execute(
        "create index dishes_multi_idx on public.dishes using pgroonga (name, tags, meta, code, created_at) "
        "with (query_allow_column = true, token_filters='TokenFilterStem', plugins='token_filters/stem')"
    )
    pg.execute("create index dishes_regexp_idx on public.dishes using pgroonga (name pgroonga_text_regexp_ops_v2)")
    options = pg.execute("select reloptions from pg_class where relname = 'dishes_name_idx'").fetchone()
    assert options == (
        [
            'normalizers=NormalizerNFKC150("unify_alphabet", true)',
            'tokenizer=TokenNgram("n", 2, "unify_alphabet", true, "loose_symbol", true)',
        ],
    )
    unknown = _error(pg, "create index bad_idx on public.dishes using pgroonga (name) with (tokeniser='TokenBigram')")
    assert unknown.sqlstate == "22023"
    assert 'unrecognized parameter "tokeniser"' in str(unknown)
    not_bool = _error(pg, "create index bad_idx on public.dishes using pgroonga (name) with (query_allow_column=maybe)")
    assert not_bool.sqlstate == "22023"
    no_class = _error(pg, "create index bad_idx on public.dishes using pgroonga (id, point(1, 2))")
    assert no_class.sqlstate == "42704"  # no pgroonga operator class for type point


def test_the_index_keeps_no_data_and_is_never_planned(pg: psycopg.Connection) -> None:
    pg.execute("create index dishes_name_idx on public.dishes using pgroonga (name)")
    pg.execute("insert into public.dishes (id, name) select g, 'dish ' || g from generate_series(10, 500) as g")
    pg.execute("update public.dishes set name = name || ' (new)' where id < 100")
    pg.execute("delete from public.dishes where id between 200 and 300")
    assert pg.execute("select pg_relation_size('public.dishes_name_idx')").fetchone() == (0,)
    pg.execute("set local enable_seqscan = off")
    plan = "\n".join(r[0] for r in pg.execute("explain select * from public.dishes where name &@~ 'dish'").fetchall())
    assert "Seq Scan on dishes" in plan
    assert "dishes_name_idx" not in plan
    assert _ids(pg, "name &@~ %s and id between 10 and 12", "dish") == [10, 11, 12]
    unique = _error(pg, "create unique index u_idx on public.dishes using pgroonga (name)")
    assert unique.sqlstate == "0A000"  # PostgreSQL: the access method does not support unique indexes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Hello", []),
        ("борщ", [1]),  # case-insensitive beyond ASCII
        ("БОРЩ УКРАИНСКИЙ", [1]),  # two words: AND
        ("борщ гороховый", []),
        ("борщ OR гороховый", [1, 3]),
        ("pasta OR борщ OR pgroonga", [1, 2, 4]),
        ("-pasta", [1, 3, 4]),
        ("суп -гороховый", []),
        ("+суп +гороховый", [3]),
        ("(pasta OR суп) -гороховый", [2]),
        ("bonara", [2]),  # a word matches inside a longer one (N-gram tokenizers)
        ("carb*", [2]),  # word* matches the start of a word
        ("bonara*", []),
        ('"pasta carbonara"', [2]),
        ('"carbonara pasta"', []),
        ("postgresql", [4]),  # NFKC: full-width letters match
        ("\\(c\\+\\+\\)", [4]),  # escaped special characters are literal
        ("(c++) OR pasta", [2, 4]),  # unescaped, ( ) group: c++ is the word
        ("", []),
        ("   ", []),
        ("or", [4]),  # lower-case "or" is a word (in "supports"), not the operator
    ],
)
def test_query_syntax(pg: psycopg.Connection, query: str, expected: list[int]) -> None:
    assert _ids(pg, "name &@~ %s", query) == expected


def test_supabase_images_own_pgroonga_test(pg: psycopg.Connection) -> None:
    # supabase/postgres nix/tests/sql/pgroonga.sql: four rows, a default index and a TokenMecab one
    pg.execute("create table public.roon (id serial primary key, content text)")
    pg.execute(
        "insert into public.roon (content) values ('Hello World'), ('PostgreSQL with PGroonga is a thing'), "
        "('This is a full-text search test'), ('PGroonga supports various languages')"
    )
    pg.execute("create index pgroonga_index on public.roon using pgroonga (content)")
    pg.execute(
        "create index pgroonga_index_mecab on public.roon using pgroonga (content) with (tokenizer='TokenMecab')"
    )
    for query, expected in [
        ("Hello", [(1, "Hello World")]),
        ("powerful", []),
        ("supports", [(4, "PGroonga supports various languages")]),
    ]:
        assert pg.execute("select * from public.roon where content &@~ %s", (query,)).fetchall() == expected


@pytest.mark.parametrize(
    ("query", "sqlstate", "says"),
    [
        ("(pasta", "42601", 'unmatched "("'),
        ("pasta)", "42601", 'unmatched ")"'),
        ('"pasta', "42601", 'unterminated "'),
        ("pasta >carbonara", "0A000", "'>'"),
        ('*N2 "a b"', "0A000", "'*'"),
    ],
)
def test_query_errors_name_the_query(pg: psycopg.Connection, query: str, sqlstate: str, says: str) -> None:
    error = _error(pg, "select %s::text &@~ %s", ("x", query))
    assert error.sqlstate == sqlstate
    assert says in str(error)
    if sqlstate == "0A000":
        assert "--khepri-engine docker" in (error.diag.message_hint or "")


def test_the_other_operators(pg: psycopg.Connection) -> None:
    assert _ids(pg, "name &@ %s", "СУП") == [3]
    assert _ids(pg, "name &@ %s", "pasta carb") == [2]  # a keyword is one string, spaces included
    assert _ids(pg, "name &@| %s", ["pasta", "борщ"]) == [1, 2]
    assert _ids(pg, "name &@~| %s", ["pasta -carbonara", "суп гороховый"]) == [3]
    assert _ids(pg, "name &^ %s", "pasta c") == [2]
    assert _ids(pg, "name &^ %s", "carbonara") == []
    assert _ids(pg, "name &^| %s", ["борщ", "суп"]) == [1, 3]
    assert _ids(pg, "name &~ %s", "^суп\\s") == [3]
    assert _ids(pg, "tags &@ %s", "крас") == [1]
    assert _ids(pg, "tags &@~ %s", "italian OR суп") == [1, 2]
    assert _ids(pg, "tags &^ %s", "ital") == [2]
    assert _ids(pg, "meta &@ %s", "world") == [1]  # string values, at any depth
    assert _ids(pg, "meta &@ %s", "note") == []  # keys are not searched
    assert _ids(pg, "meta &@~ %s", "groonga OR hello") == [1, 4]
    assert _ids(pg, "code &@~ %s", "br") == [1]  # varchar through its cast to text
    assert pg.execute("select null::text &@~ 'x', 'x' &@~ null::text").fetchone() == (None, None)
    similar = _error(pg, "select 'a' &@* 'b'")
    assert similar.sqlstate == "0A000"


def test_the_functions(pg: psycopg.Connection) -> None:
    row = pg.execute(
        "select pgroonga_highlight_html('PGroonga is <fast> & \"free\"', array['groonga', 'FAST', '']), "
        "pgroonga_highlight_html(array['a pasta', null, 'no'], array['pasta']), "
        "pgroonga_query_escape('(C++) -a:b \"q\" x*'), pgroonga_escape('say \"hi\" \\ bye'), "
        "pgroonga_escape('a+b(c)', '+()'), pgroonga_escape(true), pgroonga_escape(42::bigint), "
        "pgroonga_normalize('ＡＢＣ Ⅻ'), pgroonga_score(d), pgroonga_score(d.tableoid, d.ctid), "
        "pgroonga_is_writable(), pgroonga_flush('x') "
        "from public.dishes as d where d.id = 1"
    ).fetchone()
    assert row == (
        'P<span class="keyword">Groonga</span> is &lt;<span class="keyword">fast</span>&gt; &amp; &quot;free&quot;',
        ['a <span class="keyword">pasta</span>', None, "no"],
        '\\(C\\+\\+\\) \\-a\\:b \\"q\\" x\\*',
        '"say \\"hi\\" \\\\ bye"',
        '"a\\+b\\(c\\)"',
        "true",
        "42",
        "abc xii",
        0.0,
        0.0,
        True,
        True,
    )
    # an escaped query matches the text literally
    escaped = pg.execute("select pgroonga_query_escape('(C++)')").fetchone()
    assert escaped is not None
    assert _ids(pg, "name &@~ %s", escaped[0]) == [4]
    snippets = pg.execute(
        "select pgroonga_snippet_html(repeat('filler ', 60) || 'Groonga here ' || repeat('more ', 60) || 'groonga', "
        "array['groonga'], 40)"
    ).fetchone()
    assert snippets is not None
    assert len(snippets[0]) == 2
    assert all('<span class="keyword">' in s and len(s) < 100 for s in snippets[0])
    assert pg.execute("select pgroonga_snippet_html('nothing here', array['groonga'])").fetchone() == ([],)
    assert pg.execute("select count(*) from pgroonga_list_broken_indexes()").fetchone() == (0,)
    command = _error(pg, "select pgroonga_command('tokenizer_list')")
    assert command.sqlstate == "0A000"
    assert "tokenizer_list" in str(command)


def test_maintenance_and_concurrent_builds(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        if not _has_pgroonga(conn):
            pytest.skip("the pgroonga stand-in is staged only on servers khepri-db starts (and builds)")
        conn.execute("create schema extensions")
        conn.execute("create extension pgroonga with schema extensions")
        conn.execute("create table public.notes (id int primary key, body text, tags text[])")
        conn.execute("create unlogged table public.scratch (body text)")
        conn.execute("insert into public.notes select g, 'note ' || g, array['t' || g] from generate_series(1, 200) g")
        conn.execute("create index concurrently notes_body_idx on public.notes using pgroonga (body)")
        conn.execute("create index scratch_idx on public.scratch using pgroonga (body)")
        conn.execute("delete from public.notes where id > 100")
        conn.execute("vacuum (analyze) public.notes")
        conn.execute("reindex table public.notes")
        conn.execute("reindex index concurrently public.notes_body_idx")
        valid = conn.execute("select indisvalid from pg_index where indexrelid = 'public.notes_body_idx'::regclass")
        assert valid.fetchone() == (True,)
        conn.execute("alter extension pgroonga set schema public")  # relocatable, as PGroonga
        found = conn.execute("select count(*) from public.notes where body operator(public.&@~) 'note OR x'")
        assert found.fetchone() == (100,)
        conn.execute("drop extension pgroonga cascade")
        left = conn.execute("select count(*) from pg_class where relname in ('notes_body_idx', 'scratch_idx')")
        assert left.fetchone() == (0,)


def test_a_migration_like_fatbooks_applies_and_searches(empty_db_url: str, migrations_dir: Path) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        if not _has_pgroonga(conn):
            pytest.skip("the pgroonga stand-in is staged only on servers khepri-db starts (and builds)")
    write_migration(
        migrations_dir,
        "20250101000000_dishes.sql",
        "create schema if not exists extensions;\n"
        "create table public.dishes (id bigint primary key, name text not null, deleted boolean default false);\n",
    )
    write_migration(
        migrations_dir,
        "20250719165631_pgroonga_dishes_search.sql",
        'create\nextension if not exists "pgroonga" with schema "extensions";\n\n'
        "CREATE INDEX pgroonga_dishes_search_idx ON public.dishes USING pgroonga (name) "
        "WITH (normalizers='NormalizerNFKC150(\"unify_alphabet\", true)', "
        'tokenizer=\'TokenNgram("n", 2, "unify_alphabet", true, "loose_symbol", true)\');\n\n'
        "create or replace function public.search_dishes(search_query text) returns setof bigint\n"
        "language plpgsql security definer set search_path = public, extensions as $$\n"
        "declare processed_query text;\nbegin\n"
        "  select string_agg(case when length(trim(w)) between 1 and 4 then trim(w) || '*' else trim(w) end, ' ')\n"
        "    into processed_query from unnest(string_to_array(search_query, ' ')) as w;\n"
        "  return query select d.id from public.dishes d where not d.deleted and d.name &@~ processed_query\n"
        "    order by d.id;\nend;\n$$;\n",
    )
    migrate(empty_db_url, migrations_dir)
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        conn.execute(
            "insert into public.dishes (id, name, deleted) values (1, 'Суп гороховый', false), "
            "(2, 'Суповой набор', false), (3, 'Борщ', false), (4, 'Суп старый', true)"
        )
        assert conn.execute("select array_agg(x) from public.search_dishes('суп') as x").fetchone() == ([1, 2],)
        assert conn.execute("select array_agg(x) from public.search_dishes('гороховый суп') as x").fetchone() == ([1],)
        assert conn.execute("select array_agg(x) from public.search_dishes('пицца') as x").fetchone() == (None,)
