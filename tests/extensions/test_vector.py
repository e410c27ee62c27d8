"""The pgvector stand-in (sql/extensions/vector/), differential against the real pgvector.

The stand-in exists for servers without pgvector: the system engine's PostgreSQL 15 (Debian has no
package for it). The embedded engine's PostgreSQL 18 ships the real pgvector, so every test runs the
same statements on a throwaway system server (the stand-in) and a throwaway embedded server (the
real one) and compares: the catalog (functions, operators, casts, operator classes), the text and
binary formats, errors (SQLSTATE and message), arithmetic, and distances (to float precision: the
real build may vectorise its float sums in another order). The tests skip, saying why, without a
system PostgreSQL older than 18 or without a C compiler and its server headers.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import struct
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.core.errors import EngineError
from khepri_db.engines import (
    EmbeddedEngine,
    SystemEngine,
    binaries_major_version,
    free_port,
    make_cluster_root,
    system_bin_dir,
)
from khepri_db.testing.plugin import FAST_TEST_SETTINGS
from tests.support import skip_or_fail

RNG = random.Random(20261201)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    """(stand-in URL, real URL): databases with ``vector`` created on PostgreSQL 15 and 18."""
    try:
        bin_dir = system_bin_dir()
    except EngineError as exc:
        skip_or_fail(f"no system PostgreSQL to run the stand-in on: {exc}")
    if binaries_major_version(bin_dir) >= 18:
        pytest.skip("the system PostgreSQL is 18 or newer: it ships no stand-in for vector to compare")
    root = make_cluster_root("khepri-ext-vector-")
    system = SystemEngine(root / "system", bin_dir=bin_dir, port=free_port(), settings=FAST_TEST_SETTINGS)
    embedded = EmbeddedEngine(root / "embedded", port=free_port(), settings=FAST_TEST_SETTINGS)
    try:
        urls = (system.start(), embedded.start())
        for url in urls:
            with connect(url, autocommit=True) as conn:
                if conn.execute("select count(*) from pg_available_extensions where name = 'vector'").fetchone() != (
                    1,
                ):
                    pytest.skip(f"no vector extension on {url.rsplit('@', 1)[-1]} (no C compiler or server headers)")
                conn.execute("create extension vector")
        yield urls
    finally:
        for engine in (system, embedded):
            engine.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def standin(servers: tuple[str, str]) -> Iterator[psycopg.Connection]:
    with connect(servers[0], autocommit=True) as conn:
        yield conn


@pytest.fixture
def real(servers: tuple[str, str]) -> Iterator[psycopg.Connection]:
    with connect(servers[1], autocommit=True) as conn:
        yield conn


def _answer(conn: psycopg.Connection, query: str, params: Any = None) -> Any:
    """The rows of ``query``, or (SQLSTATE, first message line) when it fails."""
    try:
        rows = conn.execute(query, params).fetchall()
    except psycopg.Error as exc:
        return ("error", exc.sqlstate, str(exc).splitlines()[0])
    return [tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in row) for row in rows]


def test_the_standin_is_the_one_on_postgresql_15(standin: psycopg.Connection, real: psycopg.Connection) -> None:
    ours = standin.execute(
        "select e.extversion, e.extrelocatable, p.probin from pg_extension as e, pg_proc as p "
        "where e.extname = 'vector' and p.proname = 'vector_in'"
    ).fetchone()
    assert ours == ("0.8.0", True, "khepri_vector")
    assert real.execute(
        "select extrelocatable, p.probin from pg_extension, pg_proc as p "
        "where extname = 'vector' and p.proname = 'vector_in'"
    ).fetchone() == (True, "$libdir/vector")


CATALOG = {
    "functions": (
        "select p.proname, pg_get_function_identity_arguments(p.oid), p.prorettype::regtype::text, p.provolatile, "
        "p.proisstrict, p.proparallel from pg_proc as p join pg_depend as d on d.objid = p.oid and d.deptype = 'e' "
        "join pg_extension as e on e.oid = d.refobjid and e.extname = 'vector' "
        "where pg_get_function_identity_arguments(p.oid) !~ '(halfvec|sparsevec|bit|double precision\\[\\], )' "
        "and p.proname !~ '(halfvec|sparsevec|hamming|jaccard|accum|avg|combine|sum|quantize|spherical|_support$)' "
        "order by 1, 2"
    ),
    "operators": (
        "select o.oprname, o.oprleft::regtype::text, o.oprright::regtype::text, o.oprresult::regtype::text, "
        "o.oprcom::regoperator::text, o.oprnegate::regoperator::text, o.oprrest::text, o.oprjoin::text "
        "from pg_operator as o where o.oprleft = 'vector'::regtype order by 1"
    ),
    "casts": (
        "select c.castsource::regtype::text, c.casttarget::regtype::text, c.castcontext, c.castmethod "
        "from pg_cast as c where 'vector'::regtype in (c.castsource, c.casttarget) "
        "and not (c.castsource::regtype::text ~ '(halfvec|sparsevec)' "
        "or c.casttarget::regtype::text ~ '(halfvec|sparsevec)') "
        "order by 1, 2"
    ),
    "operator classes": (
        "select c.opcname, a.amname, c.opcdefault, o.oprname, ao.amoppurpose from pg_opclass as c "
        "join pg_am as a on a.oid = c.opcmethod join pg_amop as ao on ao.amopfamily = c.opcfamily "
        "join pg_operator as o on o.oid = ao.amopopr where c.opcintype = 'vector'::regtype order by 1, 2, 4"
    ),
    "type": (
        "select typlen, typbyval, typalign, typstorage, typcategory, typinput::text, typoutput::text, "
        "typreceive::text, typsend::text, typmodin::text, typmodout::text from pg_type where typname = 'vector'"
    ),
    "access methods": "select amname, amtype from pg_am where amname in ('hnsw', 'ivfflat') order by 1",
}


@pytest.mark.parametrize("kind", list(CATALOG))
def test_catalog_matches_the_real_pgvector(standin: psycopg.Connection, real: psycopg.Connection, kind: str) -> None:
    assert _answer(standin, CATALOG[kind]) == _answer(real, CATALOG[kind])


LITERALS = [
    "[1,2,3]",
    " [ 1 , 2 ] ",
    "[1.5,-0,0.1,1e-7,3e38,-3.4028235e38,1.17549435e-38,1e-45]",
    "[1e-46]",
    "[0.30000001192092896]",
    "[1,2",
    "[]",
    "[1,,2]",
    "[1,2,]",
    "[,1]",
    "1,2",
    "[1,2]x",
    "[1 2]",
    "[a]",
    "[1,nan]",
    "[1,NaN]",
    "[1,inf]",
    "[-Infinity]",
    "[1e39]",
    "[-1e39]",
    "[0x10]",
    "[1e]",
    "[ ]",
    "",
]


@pytest.mark.parametrize("literal", LITERALS)
def test_text_input_and_output(standin: psycopg.Connection, real: psycopg.Connection, literal: str) -> None:
    query = "select %s::vector::text"
    assert _answer(standin, query, (literal,)) == _answer(real, query, (literal,))


@pytest.mark.parametrize(
    "query",
    [
        "select '[1,2]'::vector(2)::text",
        "select '[1,2]'::vector(3)",
        "select '[1]'::vector(0)",
        "select '[1]'::vector(16001)",
        "select '[1]'::vector(2, 3)",
        "select array[1,2]::vector::text, array[1.5,2]::real[]::vector::text, array[0.1::float8]::vector::text",
        "select array[1.5::numeric, 1e-50::numeric]::vector::text",
        "select array[1, null]::vector",
        "select array[[1,2]]::vector",
        "select array[1e300::float8]::vector",
        "select '[1,2]'::vector::real[]",
        "select vector_dims('[1,2,3]'::vector), vector_norm('[3,4]'::vector), vector_norm('[1e20,1e20]'::vector)",
        "select l2_normalize('[3,4]'::vector)::text, l2_normalize('[0,0]'::vector)::text",
        "select ('[1,2]'::vector + '[3,4.5]')::text, "
        "('[1,2]'::vector - '[3,4]')::text, ('[1,2]'::vector * '[3,4]')::text",
        "select '[3e38]'::vector + '[3e38]'",
        "select '[1e-30]'::vector * '[1e-30]'",
        "select ('[1,2]'::vector || '[3]')::text",
        "select subvector('[1,2,3,4,5]'::vector, 2, 3)::text, subvector('[1,2,3]'::vector, "
        "0, 2)::text, subvector('[1,2,3]'::vector, 3, 5)::text",
        "select subvector('[1,2,3]'::vector, 5, 1)",
        "select '[1,2]'::vector < '[1,2,3]', '[1,2]'::vector = '[1,2]', "
        "'[2]'::vector > '[1,9]', '[1,2]'::vector <> '[1]'",
        "select vector_cmp('[1,2]'::vector, '[1,3]'::vector), vector_cmp('[1]'::vector, '[1]'::vector)",
        "select '[1,2]'::vector <-> '[1,2,3]'",
        "select '[0,0]'::vector <=> '[1,1]'",
        "select '[1,2,3]'::vector <-> '[4,5,6]', '[1,2,3]'::vector <#> '[4,5,6]', '[1,2,3]'::vector <=> '[4,5,6]', "
        "'[1,2,3]'::vector <+> '[4,5,6]'",
        "select l2_distance('[1,1]'::vector, '[2,2]'::vector), inner_product('[1,2]'::vector, "
        "'[3,4]'::vector), cosine_distance('[1,0]'::vector, '[0,1]'::vector), "
        "l1_distance('[1,2]'::vector, '[3,5]'::vector), vector_l2_squared_distance('[1,1]'::vector, '[2,2]'::vector), "
        "vector_negative_inner_product('[1,2]'::vector::vector, '[3,4]'::vector)",
        "select cosine_distance('[1,2]'::vector, '[2,4]'::vector), cosine_distance('[1,2]'::vector, '[-1,-2]'::vector)",
        "select array_agg(v::text order by v) from unnest(array['[2,1]', '[1,2,3]', '[1,2]', '[1]']::vector[]) as v",
        "select format_type('vector'::regtype, 1536)",
    ],
)
def test_functions_and_errors(standin: psycopg.Connection, real: psycopg.Connection, query: str) -> None:
    assert _answer(standin, query) == _answer(real, query)


def _random_vector(dim: int) -> str:
    choices = [lambda: RNG.uniform(-1, 1), lambda: RNG.gauss(0, 100), lambda: float(RNG.randint(-5, 5))]
    return "[" + ",".join(repr(RNG.choice(choices)()) for _ in range(dim)) + "]"


def test_random_vectors_format_and_distances(standin: psycopg.Connection, real: psycopg.Connection) -> None:
    pairs = [(_random_vector(d), _random_vector(d)) for d in [1, 2, 3, 7, 16, 100, 384, 1536] for _ in range(3)]
    query = (
        "select a::vector::text, b::vector::text, a::vector <-> b::vector, a::vector <#> b::vector, "
        "a::vector <=> b::vector, a::vector <+> b::vector, vector_norm(a::vector), vector_send(a::vector) "
        "from unnest(%s::text[], %s::text[]) with ordinality as u (a, b, n) order by n"
    )
    args = ([p[0] for p in pairs], [p[1] for p in pairs])
    ours, theirs = standin.execute(query, args).fetchall(), real.execute(query, args).fetchall()
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine[:2] == reference[:2]  # text output: shortest float4 round trip
        assert bytes(mine[7]) == bytes(reference[7])  # binary output
        a, b = (json.loads(text) for text in reference[:2])
        products = sum(abs(x * y) for x, y in zip(a, b, strict=True))  # what a float sum of a.b can lose
        tolerances = [  # (relative, absolute) for <->, <#>, <=>, <+>, vector_norm
            (1e-5, 0.0),
            (0.0, 1e-5 * products + 1e-6),
            (0.0, 1e-5),
            (1e-5, 0.0),
            (1e-6, 0.0),
        ]
        for got, expected, (rel, tol) in zip(mine[2:7], reference[2:7], tolerances, strict=True):
            assert math.isclose(got, expected, rel_tol=rel, abs_tol=tol), (got, expected)


def test_binary_output(standin: psycopg.Connection, real: psycopg.Connection) -> None:
    sql = "select '[1.5,-2,0.1]'::vector, vector_send('[1.5,-2,0.1]')"
    with standin.cursor(binary=True) as ours, real.cursor(binary=True) as theirs:
        mine, reference = ours.execute(sql).fetchone(), theirs.execute(sql).fetchone()
    assert mine == reference
    assert bytes(reference[1]) == struct.pack(">hhfff", 3, 0, 1.5, -2.0, 0.1)


@pytest.mark.parametrize(
    "index",
    [
        "using hnsw (embedding vector_cosine_ops)",
        "using hnsw (embedding vector_ip_ops) with (m = 24, ef_construction = 100)",
        "using hnsw (embedding vector_l2_ops) with (m = 1)",
        "using hnsw (embedding vector_l1_ops) with (ef_construction = 3000)",
        "using hnsw (embedding vector_l2_ops) with (foo = 1)",
        "using hnsw (embedding)",
        "using hnsw (embedding vector_cosine_ops, id)",
        "using ivfflat (embedding vector_cosine_ops) with (lists = 100)",
        "using ivfflat (embedding) with (lists = 0)",
        "using ivfflat (embedding vector_l1_ops)",
        "using btree (embedding)",
    ],
)
def test_indexes_take_pgvectors_parameters(standin: psycopg.Connection, real: psycopg.Connection, index: str) -> None:
    answers = []
    for conn in (standin, real):
        conn.execute("drop table if exists items")
        conn.execute("create table items (id int primary key, embedding vector(3))")
        answers.append(_answer(conn, f"create index items_idx on items {index}"))
    assert answers[0] == answers[1]


def test_nearest_neighbours_are_exact_scans(standin: psycopg.Connection, real: psycopg.Connection) -> None:
    rows = [(i, _random_vector(8)) for i in range(200)]
    for conn in (standin, real):
        conn.execute("drop table if exists items")
        conn.execute("create table items (id int primary key, embedding vector(8))")
        conn.execute(
            "insert into items select * from unnest(%s::int[], %s::vector[])",
            ([r[0] for r in rows], [r[1] for r in rows]),
        )
    standin.execute("create index on items using hnsw (embedding vector_cosine_ops)")
    standin.execute("create index on items using ivfflat (embedding vector_l2_ops) with (lists = 10)")
    probe = _random_vector(8)
    for operator in ("<->", "<#>", "<=>", "<+>"):
        query = f"select id from items order by embedding {operator} %s::vector, id limit 5"
        assert standin.execute(query, (probe,)).fetchall() == real.execute(query, (probe,)).fetchall()
    standin.execute("set enable_seqscan = off")
    plan = "\n".join(
        r[0] for r in standin.execute("explain select id from items order by embedding <=> '[1,2,3,4,5,6,7,8]' limit 5")
    )
    standin.execute("reset enable_seqscan")
    assert "Seq Scan on items" in plan
    assert standin.execute(
        "select pg_relation_size(indexrelid) from pg_index where indrelid = 'items'::regclass "
        "and indexrelid::regclass::text <> 'items_pkey'"
    ).fetchall() == [(0,), (0,)]


def test_a_supabase_match_function(standin: psycopg.Connection, real: psycopg.Connection) -> None:
    """The shape of the match_documents functions Supabase's guides (and chatbot-ui) write."""
    for conn in (standin, real):
        conn.execute("drop table if exists documents cascade")
        conn.execute("create table documents (id bigint primary key, content text, embedding vector(3))")
        conn.execute(
            "insert into documents values (1, 'a', '[1,0,0]'), (2, 'b', '[0.9,0.1,0]'), (3, 'c', '[0,1,0]'), "
            "(4, 'd', '[-1,0,0]')"
        )
        conn.execute(
            "create or replace function match_documents(query_embedding vector(3), match_threshold float, "
            "match_count int) returns table (id bigint, similarity float) language sql stable as $$ "
            "select d.id, 1 - (d.embedding <=> query_embedding) from documents as d "
            "where 1 - (d.embedding <=> query_embedding) > match_threshold "
            "order by d.embedding <=> query_embedding limit match_count $$"
        )
    query = "select id, round(similarity::numeric, 6)::text from match_documents('[1,0,0]', 0.5, 10)"
    assert standin.execute(query).fetchall() == real.execute(query).fetchall() == [(1, "1.000000"), (2, "0.993884")]
