"""The pg_hashids stand-in (sql/extensions/pg_hashids/) on the embedded engine, through the plugin.

Exactness: Supabase's own pg_hashids test vectors (supabase/postgres nix/tests/sql/pg_hashids.sql),
then a differential run against the ``hashids`` PyPI package (the reference Python implementation of
the same algorithm) over random ids, salts, minimum lengths and alphabets, the defaults included.
Every test works inside the ``db`` fixture's rolled-back transaction. The stand-in exists only where
the server has ``extension_control_path`` (PostgreSQL 18+): on older servers these tests skip.
"""

from __future__ import annotations

import random
import string

import psycopg
import pytest
from hashids import Hashids

RNG = random.Random(20261201)
DEFAULT_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890"
SEPARATORS = "cfhistuCFHISTU"
PRINTABLE = [c for c in string.printable if c not in string.whitespace]  # pg_hashids refuses space and tab
U64 = 2**64


@pytest.fixture(autouse=True)
def _hashids(db: psycopg.Connection) -> None:
    available = db.execute("select count(*) from pg_available_extensions where name = 'pg_hashids'").fetchone()
    if not available or available[0] == 0:
        pytest.skip("the pg_hashids stand-in needs extension_control_path (PostgreSQL 18+, the embedded engine)")
    db.execute("create schema if not exists extensions")
    db.execute("create extension pg_hashids with schema extensions")
    db.execute("set local search_path = public, extensions")


def _error(db: psycopg.Connection, query: str, params: object = None) -> psycopg.Error:
    """Run ``query`` in a savepoint and return the error it raises."""
    with pytest.raises(psycopg.Error) as caught, db.transaction():
        db.execute(query, params)
    return caught.value


def _id() -> int:
    """A non-negative bigint, small ones (the usual serial ids) as often as huge ones."""
    bits = RNG.choice([3, 8, 16, 31, 32, 40, 53, 62, 63])
    return RNG.randrange(2**bits)


def _salt() -> str:
    length = RNG.choice([0, 1, 5, 12, 40, 70, 130])  # 70 and 130: longer than any alphabet used here
    return "".join(RNG.choice([*PRINTABLE, " "]) for _ in range(length))


def _alphabet() -> str:
    kind = RNG.randrange(5)
    if kind == 0:
        return DEFAULT_ALPHABET
    if kind == 1:  # no separator characters at all: every separator comes from the alphabet
        pool = [c for c in PRINTABLE if c not in SEPARATORS]
        return "".join(RNG.sample(pool, RNG.randint(16, len(pool))))
    if kind == 2:  # mostly separators: fewer than 3 letters remain, the guards come from the separators
        return SEPARATORS + "".join(RNG.sample("abdejk0123", RNG.randint(2, 4)))
    if kind == 3:  # duplicates: only the first occurrence counts
        chars = RNG.sample(PRINTABLE, RNG.randint(16, 40))
        return "".join(chars + RNG.choices(chars, k=10))
    return "".join(RNG.sample(PRINTABLE, RNG.randint(16, len(PRINTABLE))))


def test_catalog_as_pg_hashids_1_3(db: psycopg.Connection) -> None:
    row = db.execute(
        "select e.extversion, e.extrelocatable, a.comment from pg_extension e "
        "join pg_available_extensions a on a.name = e.extname where e.extname = 'pg_hashids'"
    ).fetchone()
    assert row == ("1.3", True, "pg_hashids")
    functions = db.execute(
        "select p.oid::regprocedure::text, p.prorettype::regtype::text, p.provolatile, p.proisstrict "
        "from pg_proc p join pg_depend d on d.objid = p.oid and d.classid = 'pg_proc'::regclass "
        "join pg_extension e on e.oid = d.refobjid where e.extname = 'pg_hashids' and p.proname !~ '^_hashids_'"
    ).fetchall()
    text4 = ",text,integer,text"  # regprocedure text: no spaces
    expected = {
        "hash_encode(bigint)": "text",
        "hash_encode(bigint,text)": "text",
        "hash_encode(bigint,text,integer)": "text",
        "hash_decode(text,text,integer)": "integer",
    }
    for number in ("bigint", "bigint[]"):
        for tail in ("", ",text", ",text,integer", text4):
            expected[f"id_encode({number}{tail})"] = "text"
    for tail in ("", ",text", ",text,integer", text4):
        expected[f"id_decode(text{tail})"] = "bigint[]"
        expected[f"id_decode_once(text{tail})"] = "bigint"
    assert {name: result for name, result, _, _ in functions} == expected
    assert {(volatility, strict) for _, _, volatility, strict in functions} == {("i", True)}


def test_supabase_test_vectors(db: psycopg.Connection) -> None:
    # supabase/postgres nix/tests/sql/pg_hashids.sql and its expected output.
    rows = db.execute(
        "select id_encode(1001), id_encode(1234567, 'This is my salt'), "
        "id_encode(1234567, 'This is my salt', 10), "
        "id_encode(1234567, 'This is my salt', 10, 'abcdefghijABCDxFGHIJ1234567890'), "
        "id_decode('PlRPdzxpR7', 'This is my salt', 10), "
        "id_decode('3GJ956J9B9', 'This is my salt', 10, 'abcdefghijABCDxFGHIJ1234567890'), "
        "id_decode_once('jNl')"
    ).fetchone()
    assert rows == ("jNl", "Pdzxp", "PlRPdzxpR7", "3GJ956J9B9", [1234567], [1234567], 1001)


def test_encode_matches_hashids_with_defaults(db: psycopg.Connection) -> None:
    ids = [0, 1, 9, 10, 61, 62, 100, 1001, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1] + [_id() for _ in range(150)]
    salts = [_salt() for _ in ids]
    lengths = [RNG.randint(0, 40) for _ in ids]
    rows = db.execute(
        "select id_encode(n), id_encode(n, s), id_encode(n, s, m), hash_encode(n, s, m) "
        "from unnest(%s::bigint[], %s::text[], %s::int[]) with ordinality as t (n, s, m, o) order by o",
        (ids, salts, lengths),
    ).fetchall()
    for n, salt, length, row in zip(ids, salts, lengths, rows, strict=True):
        want = (Hashids().encode(n), Hashids(salt).encode(n), Hashids(salt, length).encode(n))
        assert row == (*want, want[2]), (n, salt, length)


def test_encode_and_decode_match_hashids_over_alphabets(db: psycopg.Connection) -> None:
    cases = [(_id(), _salt(), RNG.choice([0, 0, 1, 5, 12, 20, 33, 64, 100]), _alphabet()) for _ in range(400)]
    ids, salts, lengths, alphabets = (list(column) for column in zip(*cases, strict=True))
    hashes = [Hashids(s, m, a).encode(n) for n, s, m, a in cases]
    rows = db.execute(
        "select id_encode(n, s, m, a), id_decode(h, s, m, a), id_decode_once(h, s, m, a) "
        "from unnest(%s::bigint[], %s::text[], %s::int[], %s::text[], %s::text[]) with ordinality "
        "as t (n, s, m, a, h, o) order by o",
        (ids, salts, lengths, alphabets, hashes),
    ).fetchall()
    for (n, salt, length, alphabet), hashid, row in zip(cases, hashes, rows, strict=True):
        assert row == (hashid, [n], n), (n, salt, length, alphabet)


def test_arrays_match_hashids(db: psycopg.Connection) -> None:
    cases = []
    for _ in range(120):
        numbers = [_id() for _ in range(RNG.randint(1, 6))]
        cases.append((numbers, _salt(), RNG.choice([0, 8, 30]), _alphabet()))
    for numbers, salt, length, alphabet in cases:
        hashid = Hashids(salt, length, alphabet).encode(*numbers)
        row = db.execute(
            "select id_encode(%s::bigint[], %s, %s, %s), id_decode(%s, %s, %s, %s), id_decode_once(%s, %s, %s, %s)",
            (numbers, salt, length, alphabet, hashid, salt, length, alphabet, hashid, salt, length, alphabet),
        ).fetchone()
        assert row == (hashid, numbers, numbers[0]), (numbers, salt, length, alphabet)
    defaults = db.execute("select id_encode('{1,2,3}'::bigint[]), id_encode('{1,2,3}'::bigint[], 'salt')").fetchone()
    assert defaults == (Hashids().encode(1, 2, 3), Hashids("salt").encode(1, 2, 3))
    assert db.execute("select id_decode(%s)", (Hashids().encode(5, 0, 7),)).fetchone() == ([5, 0, 7],)


def test_negative_bigints_are_unsigned_inside(db: psycopg.Connection) -> None:
    # pg_hashids hands the bigint to hashids.c as unsigned long long: -1 is 2^64 - 1, and back.
    for n in (-1, -2, -1001, -(2**63)):
        hashid, back = db.execute(
            "select id_encode(%s::bigint, 'salt', 8), id_decode(id_encode(%s::bigint, 'salt', 8), 'salt', 8)", (n, n)
        ).fetchone()
        assert hashid == Hashids("salt", 8).encode(U64 + n)
        assert back == [n]


def test_hash_decode_keeps_the_low_32_bits(db: psycopg.Connection) -> None:
    # hash_decode is declared integer over the 64-bit C result: only the low 32 bits survive.
    for n, low in ((42, 42), (2**32 + 5, 5), (2**31, -(2**31)), (2**32 - 1, -1)):
        hashid = Hashids("s", 6).encode(n)
        assert db.execute("select hash_decode(%s, 's', 6)", (hashid,)).fetchone() == (low,)


def test_decode_reads_without_re_encoding(db: psycopg.Connection) -> None:
    # pg_hashids parses any string of the alphabet's characters (Python's hashids re-encodes and
    # answers () for a hash encode would not make): a changed last character is another number.
    hashid = Hashids().encode(123456)
    changed = hashid[:-1] + ("a" if hashid[-1] != "a" else "b")
    assert Hashids().decode(changed) == ()
    decoded = db.execute("select id_decode(%s)", (changed,)).fetchone()[0]
    assert len(decoded) == 1
    assert decoded != [123456]


def test_errors_as_pg_hashids(db: psycopg.Connection) -> None:
    short = _error(db, "select id_encode(1, 'salt', 0, 'abcdefghijklmno')")
    assert (short.sqlstate, short.diag.message_primary) == ("22023", "alphabet is too short")
    duplicates = _error(db, "select id_encode(1, 'salt', 0, 'aaaaaaaaaaaaaaaaaaaabcdef')")
    assert duplicates.diag.message_primary == "alphabet is too short"
    space = _error(db, "select id_encode(1, 'salt', 0, 'abcdefghijklmnop qrstuvwxyz')")
    assert (space.sqlstate, space.diag.message_primary) == ("22023", "alphabet contains whitespace characters")
    invalid = _error(db, "select id_decode('jN!')")
    assert (invalid.sqlstate, invalid.diag.message_primary) == ("22023", "invalid hash")
    empty = _error(db, "select id_decode_once('')")
    assert (empty.sqlstate, empty.diag.message_primary) == ("22023", "invalid hash")
    null_element = _error(db, "select id_encode('{1,null}'::bigint[])")
    assert (null_element.sqlstate, null_element.diag.message_primary) == (
        "22004",
        "null value not allowed for array element",
    )
    negative = _error(db, "select id_encode(1, 'salt', -1)")
    assert negative.sqlstate == "22023"
    assert "must not be negative" in negative.diag.message_primary
    non_ascii = _error(db, "select id_encode(1, 'sél')")
    assert non_ascii.sqlstate == "0A000"
    assert "ASCII" in non_ascii.diag.message_primary
    assert "--db-url" in (non_ascii.diag.message_hint or "")
    # strict, as the C functions are: null in, null out
    assert db.execute(
        "select id_encode(null::bigint), id_decode(null, 's'), id_decode_once('jNl', null)"
    ).fetchone() == (
        None,
        None,
        None,
    )


def test_any_search_path_and_set_schema(db: psycopg.Connection) -> None:
    db.execute("set local search_path = ''")
    assert db.execute("select extensions.id_encode(1001)").fetchone() == ("jNl",)
    db.execute("create schema hashids_moved")
    db.execute("alter extension pg_hashids set schema hashids_moved")
    assert db.execute(
        "select hashids_moved.id_decode_once(hashids_moved.id_encode(77, 'x', 9), 'x', 9)"
    ).fetchone() == (77,)


def test_a_trigger_as_projects_use_it(db: psycopg.Connection) -> None:
    # The pattern of gridaco/grida's migrations: a slug from the serial id in a before-insert trigger.
    db.execute("create table public.hashid_posts (id bigint generated always as identity primary key, slug text)")
    db.execute(
        "create function public.hashid_posts_slug() returns trigger language plpgsql as "
        "$$ begin new.slug := id_encode(new.id); return new; end $$"
    )
    db.execute(
        "create trigger hashid_posts_slug before insert on public.hashid_posts "
        "for each row execute function public.hashid_posts_slug()"
    )
    db.execute("insert into public.hashid_posts (slug) select null from generate_series(1, 5)")
    slugs = db.execute("select id, slug from public.hashid_posts order by id").fetchall()
    assert slugs == [(n, Hashids().encode(n)) for n in range(1, 6)]
