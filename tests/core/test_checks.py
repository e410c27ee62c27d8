"""``core.checks.read_check`` on CHECK definitions as a real PostgreSQL prints them: each constraint is
created, its ``pg_get_constraintdef`` read back, and the reading's structure asserted (the printed
text differs between versions: the tests assert what it means, never the text). Marked ``pg``: ``make
test`` runs them on PostgreSQL 15 too.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import psycopg.sql
import pytest

from khepri_db.core.checks import Constant, read_check
from khepri_db.core.db import connect
from khepri_db.testing.plugin import DatabaseFactory
from tests.support.databases import printed_checks

pytestmark = pytest.mark.pg

SCHEMA = r"""
create domain public.sha256 as text
    constraint sha256_hex check (value ~ '^[0-9a-f]{64}$')
    constraint sha256_nonempty check (char_length(value) >= 1);
create domain public.percent as numeric constraint percent_range check (value between 0 and 100);
create table public.checked (
    name text constraint name_len check (char_length(name) <= 40),
    status text constraint status_in check (status in ('draft', 'it''s done')),
    code varchar(10) constraint code_in check (code in ('x', 'y')),
    score int constraint score_range check (score between -1 and 10),
    amount int constraint amount_reversed check (0 < amount),
    price numeric constraint price_min check (price >= 0.5),
    slug text constraint slug_pattern check (slug ~* '^[a-z]{2,8}$'),
    "Title" text constraint title_nonempty check (length("Title") > 0),
    note text constraint note_no_space check (note !~ '\s'),
    opt int constraint opt_null_or_big check (opt is null or opt > 5),
    starts_at timestamptz,
    ends_at timestamptz,
    kind text,
    qty int,
    "col 2" int constraint col2_positive check ("col 2" > 7),
    plan text constraint plan_or_null check (plan in ('monthly', null)),
    zip text constraint zip_similar check (zip similar to '[0-9]{5}'),
    constraint period check (ends_at > starts_at),
    constraint kind_amount check (kind <> 'free' or amount > 3)
);
alter table public.checked add constraint qty_positive check (qty > 0) not valid;
"""


@pytest.fixture(scope="module")
def printed(khepri_database_factory: DatabaseFactory) -> dict[str, str]:
    """Constraint name -> ``pg_get_constraintdef`` of the constraints in :data:`SCHEMA`."""
    return printed_checks(khepri_database_factory, SCHEMA)


def _only(printed: dict[str, str], name: str):
    reading = read_check(printed[name])
    assert len(reading.conjuncts) == 1, reading
    return reading, reading.conjuncts[0]


def test_a_length_bound_of_a_column(printed: dict[str, str]) -> None:
    reading, c = _only(printed, "name_len")
    assert (c.kind, c.subject, c.function, c.op, c.value) == ("length", "name", "char_length", "<=", "40")
    assert reading.numbers == ("40",)
    assert reading.strings == ()
    assert reading.flags == ()
    assert reading.enforced


def test_in_prints_as_any_array_and_reads_as_membership(printed: dict[str, str]) -> None:
    assert "ANY" in printed["status_in"]  # PostgreSQL prints IN (...) as = ANY (ARRAY[...])
    reading, c = _only(printed, "status_in")
    assert (c.kind, c.subject, c.op) == ("membership", "status", "in")
    # each constant keeps its casts, as printed ('draft'::text)
    assert c.values == (Constant("draft", "string", ("text",)), Constant("it's done", "string", ("text",)))
    assert reading.strings == ("draft", "it's done")


def test_a_varchar_column_is_cast_to_text_before_any(printed: dict[str, str]) -> None:
    _, c = _only(printed, "code_in")
    assert (c.kind, c.subject, c.casts, c.value_casts) == ("membership", "code", ("text",), ("text[]",))
    assert [v.text for v in c.values] == ["x", "y"]


def test_between_reads_as_two_comparisons_and_a_negative_bound_is_a_number(printed: dict[str, str]) -> None:
    reading = read_check(printed["score_range"])
    assert [(c.kind, c.subject, c.op, c.value) for c in reading.conjuncts] == [
        ("comparison", "score", ">=", "-1"),
        ("comparison", "score", "<=", "10"),
    ]
    assert reading.numbers == ("-1", "10")  # -1 is printed as the string '-1'::integer


def test_a_number_on_the_left_is_read_with_the_subject_on_the_left(printed: dict[str, str]) -> None:
    _, c = _only(printed, "amount_reversed")
    assert (c.kind, c.subject, c.op, c.value) == ("comparison", "amount", ">", "0")


def test_a_decimal_bound(printed: dict[str, str]) -> None:
    reading, c = _only(printed, "price_min")
    assert (c.kind, c.subject, c.op, c.value) == ("comparison", "price", ">=", "0.5")
    assert reading.numbers == ("0.5",)


def test_a_case_insensitive_pattern_and_its_repetition_counts(printed: dict[str, str]) -> None:
    reading, c = _only(printed, "slug_pattern")
    assert (c.kind, c.subject, c.op, c.value) == ("regex", "slug", "~*", "^[a-z]{2,8}$")
    assert reading.patterns == ("^[a-z]{2,8}$",)
    assert reading.repetitions == ("2", "8")


def test_a_quoted_column_is_unquoted(printed: dict[str, str]) -> None:
    _, c = _only(printed, "title_nonempty")
    assert (c.kind, c.subject, c.function, c.op, c.value) == ("length", "Title", "length", ">", "0")


def test_a_negated_pattern(printed: dict[str, str]) -> None:
    _, c = _only(printed, "note_no_space")
    assert (c.kind, c.subject, c.op, c.value) == ("regex", "note", "!~", r"\s")


def test_an_or_is_other_but_its_literals_are_harvested(printed: dict[str, str]) -> None:
    reading, c = _only(printed, "opt_null_or_big")
    assert (c.kind, c.subject) == ("other", None)
    assert reading.numbers == ("5",)


def test_a_number_in_a_quoted_column_name_is_not_a_literal(printed: dict[str, str]) -> None:
    reading, c = _only(printed, "col2_positive")
    assert (c.subject, c.value) == ("col 2", "7")
    assert reading.numbers == ("7",)


def test_a_null_in_the_list_makes_it_other(printed: dict[str, str]) -> None:
    # ('monthly', null): 'x' = ANY (...) is null, not false, so the CHECK lets every value through
    reading, c = _only(printed, "plan_or_null")
    assert c.kind == "other"
    assert reading.strings == ("monthly",)


def test_similar_to_is_other_and_its_pattern_is_harvested(printed: dict[str, str]) -> None:
    reading, c = _only(printed, "zip_similar")
    assert c.kind == "other"
    assert reading.patterns == ("[0-9]{5}",)
    assert reading.repetitions == ("5",)


def test_multi_column_checks(printed: dict[str, str]) -> None:
    _, c = _only(printed, "period")
    assert c.kind == "other"
    reading, c = _only(printed, "kind_amount")
    assert c.kind == "other"
    assert (reading.strings, reading.numbers) == (("free",), ("3",))


def test_not_valid_is_a_flag_and_the_expression_is_still_read(printed: dict[str, str]) -> None:
    reading, c = _only(printed, "qty_positive")
    assert reading.flags == ("NOT VALID",)
    assert reading.enforced
    assert (c.kind, c.subject, c.op, c.value) == ("comparison", "qty", ">", "0")


def test_domain_checks_read_value(printed: dict[str, str]) -> None:
    _, hex_ = _only(printed, "sha256_hex")
    assert (hex_.kind, hex_.subject, hex_.op, hex_.value) == ("regex", "VALUE", "~", "^[0-9a-f]{64}$")
    _, nonempty = _only(printed, "sha256_nonempty")
    assert (nonempty.kind, nonempty.subject, nonempty.op, nonempty.value) == ("length", "VALUE", ">=", "1")
    percent = read_check(printed["percent_range"])
    assert [(c.kind, c.subject, c.op, c.value) for c in percent.conjuncts] == [
        ("comparison", "VALUE", ">=", "0"),
        ("comparison", "VALUE", "<=", "100"),
    ]


def test_backslashes_and_quotes_in_a_pattern(khepri_database_factory: Callable[..., str]) -> None:
    # ruleutils.c never prints E'': a backslash is printed as is (standard_conforming_strings on, as
    # khepri-db's connections have it), a quote doubled
    with connect(khepri_database_factory(), autocommit=True) as conn:
        conn.execute(r"create table t (p text constraint digits check (p ~ E'^\\d+\'$'))")
        text = conn.execute("select pg_get_constraintdef(oid) from pg_constraint where conname = 'digits'").fetchone()
    reading = read_check(text[0])
    assert (reading.conjuncts[0].kind, reading.conjuncts[0].value) == ("regex", r"^\d+'$")
    assert reading.strings == (r"^\d+'$",)
    # source text may hold an escape string
    assert read_check(r"p ~ E'^\\d+\'$'").conjuncts[0].value == r"^\d+'$"


@pytest.mark.pg(">=18")
def test_not_enforced_is_not_enforced(khepri_database_factory: Callable[..., str]) -> None:
    with connect(khepri_database_factory(), autocommit=True) as conn:
        conn.execute("create table t (n int constraint n_small check (n < 10) not enforced)")
        conn.execute("insert into t values (11)")  # what NOT ENFORCED means
        text = conn.execute("select pg_get_constraintdef(oid) from pg_constraint where conname = 'n_small'").fetchone()
    reading = read_check(text[0])
    assert reading.flags == ("NOT ENFORCED",)
    assert not reading.enforced
    assert reading.conjuncts[0].op == "<"


def test_a_bare_expression_and_in_as_written() -> None:
    reading = read_check("kind IN ('a', 'b') AND n >= 2")
    assert [(c.kind, c.subject) for c in reading.conjuncts] == [("membership", "kind"), ("comparison", "n")]
    assert reading.expression == "kind IN ('a', 'b') AND n >= 2"


def test_the_reading_is_cached_and_frozen(printed: dict[str, str]) -> None:
    reading = read_check(printed["name_len"])
    assert read_check(printed["name_len"]) is reading
    with pytest.raises(AttributeError):
        reading.strings = ()  # type: ignore[misc]


def _sides(op: str, bound: float) -> tuple[float, float]:
    """(a value the bound ``<op> bound`` refuses, one it accepts)."""
    return {">=": (bound - 1, bound), ">": (bound, bound + 1), "<=": (bound + 1, bound), "<": (bound, bound - 1)}[op]


def test_every_bound_read_is_the_bound_the_database_enforces(
    printed: dict[str, str], khepri_database_factory: Callable[..., str]
) -> None:
    """Each comparison and length bound read from a table's CHECK, tried on the table: the value just
    outside it is refused, the one at its edge accepted (a flipped operator or a wrong number fails)."""
    tried = 0
    with connect(khepri_database_factory(), autocommit=True) as conn:
        conn.execute(SCHEMA)
        for name, definition in printed.items():
            for c in read_check(definition).conjuncts:
                if c.kind not in ("comparison", "length") or c.subject == "VALUE" or c.op not in ("<", "<=", ">", ">="):
                    continue
                bad, good = _sides(c.op, float(c.value or 0))
                if c.kind == "length":
                    bad, good = "x" * int(bad), "x" * int(good)
                insert = psycopg.sql.SQL("insert into public.checked ({}) values (%s)").format(
                    psycopg.sql.Identifier(c.subject or "")
                )
                conn.execute(insert, [good])
                with pytest.raises(psycopg.errors.CheckViolation, match=name):
                    conn.execute(insert, [bad])
                tried += 1
    assert tried == 8  # name, score (2), amount, price, "Title", "col 2", qty (not valid: new rows are checked)


def test_a_readings_numbers_become_python_numbers() -> None:
    from khepri_db.core.checks import number_value

    reading = read_check("CHECK (((n >= '-5'::integer) AND (n < 2.5) AND (m <> 1e3)))")
    assert [number_value(n) for n in reading.numbers] == [-5, 2.5, 1000.0]
    assert type(number_value("-5")) is int
    with pytest.raises(ValueError, match="could not convert"):
        number_value("five")
