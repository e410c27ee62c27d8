"""Statement splitting, upsert-target extraction and the lexer (pure functions, no database)."""

import random
from pathlib import Path

import pytest
from sqlparse import lexer

from khepri_db.core.sqltext import comparable, line_at, split_chunks, split_statements, split_top_level
from khepri_db.core.sqltext.tokens import _lex
from khepri_db.doctor.upserts import find_upserts

REPO = Path(__file__).resolve().parents[2]


def test_split_keeps_dollar_quoted_bodies_and_reports_lines() -> None:
    sql = (
        "-- header\n"
        "create table a (id int);\n"
        "\n"
        "create function f() returns int language plpgsql as $fn$\n"
        "begin\n"
        "  insert into a values (1); -- ; inside\n"
        "  return 1;\n"
        "end $fn$;\n"
        "create function g() returns int language sql\n"
        "begin atomic\n"
        "  select 1;\n"
        "end;\n"
        "select 'it''s; fine';\n"
    )
    statements = split_statements(sql)
    assert [s.line for s in statements] == [1, 4, 9, 13]
    assert statements[0].text == "-- header\ncreate table a (id int)"
    assert statements[1].text.endswith("end $fn$")
    assert "select 1;" in statements[2].text
    assert statements[3].text == "select 'it''s; fine'"
    for s in statements:
        assert sql[s.offset : s.offset + len(s.text)] == s.text


def test_split_keeps_trailing_comment_like_the_supabase_cli() -> None:
    statements = split_statements("select 1;\n-- the end\n")
    assert [s.text for s in statements] == ["select 1", "-- the end"]


def test_comparable_ignores_statement_boundaries() -> None:
    file = "create table a (id int);\n\ncreate index on a (id);\n"
    recorded = ["create table a (id int)", "create index on a (id)"]
    assert comparable("".join(recorded)) == comparable(file)
    assert comparable("".join(recorded)) != comparable(file.replace("(id)", "(id desc)"))


def test_line_at_counts_newlines() -> None:
    assert line_at("a\nb\nc", 0) == 1
    assert line_at("a\nb\nc", 2) == 2
    assert line_at("a\nb\nc", 4) == 3


def test_find_upserts_reads_the_seed_bug_shape() -> None:
    body = """
    declare v uuid;
    begin
      insert into profiles (auth_user_id, name) values (auth.uid(), p_name)
      on conflict (auth_user_id) do update set name = excluded.name
      returning id into v;
      return v;
    end"""
    [upsert] = find_upserts(body)
    assert (upsert.table_schema, upsert.table_name) == (None, "profiles")
    assert upsert.columns == ("auth_user_id",)
    assert upsert.plain
    assert upsert.constraint is None
    assert upsert.predicate is None
    assert upsert.line == 4


def test_find_upserts_handles_quoting_constraints_ctes_and_expressions() -> None:
    body = """begin
      insert into public."Plans" as p (a) select x from y join z on y.id = z.id
        on conflict on constraint plans_pkey do nothing;
      with w as (insert into s.t (a, b) values (1, 2)
        on conflict (lower(a), "B") where a > 1 do nothing returning *) select 1;
      insert into t2 (a) values (1) on conflict (a collate "C", b text_pattern_ops) do update set a = 2;
      insert into logs (msg) values ('on conflict (x)') on conflict do nothing;
      execute 'insert into dyn (a) values (1) on conflict (a) do nothing';
    end"""
    found = find_upserts(body)
    assert [(u.table_schema, u.table_name) for u in found] == [("public", "Plans"), ("s", "t"), (None, "t2")]
    assert found[0].constraint == "plans_pkey"
    assert found[1].columns == ("lower(a)", "B")
    assert not found[1].plain
    assert found[1].predicate == "a > 1"
    assert found[2].columns == ("a", "b")
    assert found[2].plain


# -- statement boundaries exactly as the Supabase CLI records them (pkg/parser of supabase/cli) ----


def texts(sql: str) -> list[str]:
    return [s.text for s in split_statements(sql)]


def test_a_trailing_same_line_comment_starts_the_next_statement_like_the_supabase_cli() -> None:
    assert texts("select 1; -- one\nselect 2; -- two\n") == ["select 1", "-- one\nselect 2", "-- two"]


def test_nested_block_comments_hide_semicolons() -> None:
    sql = "select /* a /* b; */ still comment; */ 1;\nselect 2;\n"
    assert texts(sql) == ["select /* a /* b; */ still comment; */ 1", "select 2"]


def test_final_comment_only_chunk_is_a_statement_and_knows_it() -> None:
    [first, last] = split_statements("select 1;\n/* the end */ -- really\n")
    assert last.text == "/* the end */ -- really"
    assert last.comment_only
    assert not first.comment_only


def test_dollar_quotes_named_and_anonymous_and_positional_parameters() -> None:
    sql = (
        "create function f(int) returns int language sql as $body$ select $1; $body$;\n"
        "do $$ begin perform 1; end $$;\n"
        "select $tag$;$tag$ as semi;\n"
    )
    assert texts(sql) == [
        "create function f(int) returns int language sql as $body$ select $1; $body$",
        "do $$ begin perform 1; end $$",
        "select $tag$;$tag$ as semi",
    ]


def test_begin_atomic_bodies_and_parentheses_keep_their_semicolons() -> None:
    sql = (
        "create function g() returns int language sql\nBEGIN   ATOMIC\n  select 1;\n  select (2);\nEND;\n"
        "create rule r as on insert to t do also (insert into u select 1; insert into u select 2);\n"
        "select 3;\n"
    )
    assert texts(sql) == [
        "create function g() returns int language sql\nBEGIN   ATOMIC\n  select 1;\n  select (2);\nEND",
        "create rule r as on insert to t do also (insert into u select 1; insert into u select 2)",
        "select 3",
    ]


def test_the_cli_splitters_quirks_are_kept_because_the_recorded_statements_must_match() -> None:
    # a backslash outside quotes escapes the next character; inside quotes it is literal
    assert texts("select '\\';' 1';") == ["select '\\'", "' 1'"]
    # `end` ends a BEGIN ATOMIC body even inside a longer word
    assert texts("create function h() returns int language sql begin atomic select 1 as weekend; select 2; end;") == [
        "create function h() returns int language sql begin atomic select 1 as weekend",
        "select 2",
        "end",
    ]
    # one `)` closes every open parenthesis level
    assert texts("create rule r as on insert to t do also (insert into u values (1); select 2);") == [
        "create rule r as on insert to t do also (insert into u values (1)",
        "select 2)",
    ]
    # `/*/` opens and closes a comment
    assert texts("select 1 /*/ ; select 2;") == ["select 1 /*/", "select 2"]


def test_crlf_stays_inside_statements_and_whitespace_is_trimmed_like_go() -> None:
    sql = "create table a (\r\n  id int\r\n);\r\n\u00a0select 1 ;;\r\n"
    assert texts(sql) == ["create table a (\r\n  id int\r\n)", "select 1"]


def test_code_line_skips_leading_comments_and_words_read_past_them() -> None:
    sql = "select 1;\n-- why\n/* what\n   more */\n  Create  /* x */ INDEX concurrently i on t (x);\n"
    [_, statement] = split_statements(sql)
    assert statement.line == 2
    assert statement.code_line == 5
    assert statement.words(3) == ("CREATE", "INDEX", "CONCURRENTLY")
    for s in split_statements(sql):
        assert sql[s.offset : s.offset + len(s.text)] == s.text


LEXER_EDGE_CASES = [
    "$a$ x $a$ $$ y $$ $b$ $a$ $b$",
    "'it''s' \"q\"\"x\" $$ $tag$ in $$ $tag$ x$y$ $1",
    "/* a /* nested */ */ x /*+ hint */ -- c\r\n# comment\n#x",
    "select -1.5e-3, 0x1F, .5, 1., :=, ::, ->>, #>>, @>, <@, ?|, ?&, #-, %(name)s, %s, ?, :name, $name",
    "\u00b4x\u00b4 `y` [z] a[1] \\copy ##tmp @var \u00c0bc \u00e9t\u00e9 stra\u00dfe \u212a \u017f",
    "left outer join natural join cross join end if end loop if not exists not null asc nulls first",
    "union all group by order by primary key handler for double precision create or replace",
    "at time zone 'utc' not like ilike not regexp binary lateral view explode go 10 case in values",
    "'unterminated",
    "$$ unterminated",
    "/* unterminated",
    "\x00 \x01 \u00a0 \u2028 \t\x0b\x0c \ufeff \U0001f600",
]


def test_the_fast_lexer_returns_sqlparse_tokens_exactly() -> None:
    # doctor lexes every function body; _lex must give sqlparse's tokens, only faster: every SQL
    # file of this repository, hand-picked edge cases, and seeded random strings of SQL's
    # significant characters.
    texts = [p.read_text(encoding="utf-8") for p in sorted(REPO.glob("s*/**/*.sql"))]
    assert len(texts) > 50
    texts += LEXER_EDGE_CASES
    alphabet = [*"$'\"`\u00b4[]()/*-+#@:;,.?%&|^<>=~! \t\r\n_aAzZeE019xX\\", "\u00e9", "\u00c0", "\u212a", "\x00"]
    alphabet += ["select", "JOIN", "left ", "end ", "not ", "null", "as", "0x", "1e", "$$", "$a$", "/*", "*/", "--"]
    rng = random.Random(12)
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))) for _ in range(1500)]
    for text in texts:
        assert _lex(text) == list(lexer.tokenize(text)), text[:200]


# -- golden cases: what supabase/cli's own parser tests (apps/cli-go/pkg/parser/state_test.go) require
# of its splitter, restated as inputs and the raw chunks its Split returns (each with its `;` and
# surrounding whitespace). Our split_chunks must return the very same chunks.
CLI_SPLIT_CASES = {
    "line comment after separator": ["END;", "-- comment"],
    "line comment hides separator": ["SELECT --; 1"],
    "a lone dash is no comment": ["- ;", "END"],
    "line comment hides block comment opener": ["-- /* \n;", " */ END"],
    "block comment hides separator": ["SELECT /* ; */ 1;"],
    "block comments nest": ["SELECT /*; /*;*/ ;*/ 1"],
    "slash space star is no comment": ["/ * ;", " */ END"],
    "empty statements are chunks": [";", "END;", ";"],
    "spaces stay with their chunk": ["BEGIN   ;", "  END"],
    "backslash escapes separator outside quotes": ["\\;;", "\\;"],
    "named dollar quote": ["$tag$ any ; string$tag$"],
    "anonymous dollar quote": ['$$"Dane\'s horse"$$'],
    "dollar inside double quotes opens nothing": ['SELECT "$";', " $$"],
    "single quote hides separator": ["SELECT ';' 1"],
    "doubled single quote": ["SELECT ';'';' 1"],
    "backslash is literal inside single quotes": ["SELECT '\\';", " 1'"],
    "double quote hides separator": ['CREATE POLICY "cats;dogs" on cats_dogs;', " END"],
    "single quote inside double quotes": ["CREATE POLICY \"cat's and dog's\" on cats_dogs;", " END"],
    "doubled double quote": ['CREATE POLICY "pet""name" on pets;', " END"],
    "parentheses hide separators": [
        'CREATE RULE notify_me AS ON UPDATE TO mytable DO (NOTIFY mytable; SELECT "1");',
        "SELECT 1",
    ],
    "parentheses inside comments and quotes do not count": [
        "CREATE RULE notify_me AS ON UPDATE TO mytable DO (-- )\nSELECT ')';\n-- )\n)\n"
    ],
    "begin atomic body": [
        "CREATE FUNCTION add(a integer, b integer) RETURNS integer\nLANGUAGE SQL\nIMMUTABLE STRICT PARALLEL SAFE\n"
        "RETURNS NULL ON NULL INPUT\nBEGIN ATOMIC\n\tSELECT 'add';\n\tSELECT a + b;\nEND;"
    ],
    "begin atomic in lower case": ["begin atomic; select 'end'; end"],
    "begin atomic split by a comment": ["CREATE FUNCTION test() BEGIN\nATOMIC-- END;\n-- END;\nEND\n;"],
    **{
        f"atomic inside the name {name}": [
            f"CREATE OR REPLACE FUNCTION {name}()\nRETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  NULL;\nEND;\n$$;",
            "\nSELECT 1;",
        ]
        for name in ("fn_atomic", "atomic_fn", "my_atomic_thing", "xatomicx", "fn_ATomiC")
    },
    "schema-qualified atomic_ name": [
        "CREATE OR REPLACE FUNCTION public.atomic_example()\nRETURNS INTEGER\nLANGUAGE plpgsql\nAS $$\n"
        "BEGIN\n  RETURN 1;\nEND;\n$$;",
        "\nGRANT EXECUTE ON FUNCTION public.atomic_example() TO authenticated;",
    ],
}


@pytest.mark.parametrize("chunks", CLI_SPLIT_CASES.values(), ids=CLI_SPLIT_CASES.keys())
def test_split_chunks_match_the_supabase_cli_parser_cases(chunks: list[str]) -> None:
    sql = "".join(chunks)
    assert [sql[start:end] for start, end in split_chunks(sql)] == chunks


@pytest.mark.parametrize(
    ("expression", "word", "parts"),
    [
        (
            "((owner_id = ( SELECT auth.uid() AS uid)) OR (sharing <> 'private'::text))",
            "or",
            ["owner_id = ( SELECT auth.uid() AS uid)", "sharing <> 'private'::text"],
        ),
        (
            "(is_public AND (x BETWEEN 1 AND 2) AND (y = 'a or b'))",
            "and",
            ["is_public", "x BETWEEN 1 AND 2", "y = 'a or b'"],
        ),
        ("x BETWEEN 1 AND 2 AND y", "and", ["x BETWEEN 1 AND 2", "y"]),
        ("(a OR b) AND c", "or", ["(a OR b) AND c"]),
        ("(a) OR (b)", "or", ["a", "b"]),
        ("is_public", "or", ["is_public"]),
        ("CASE WHEN a OR b THEN true ELSE false END OR c", "or", ["CASE WHEN a OR b THEN true ELSE false END", "c"]),
        (
            "status = ANY (ARRAY['a'::text, 'b or c'::text]) OR d",
            "or",
            ["status = ANY (ARRAY['a'::text, 'b or c'::text])", "d"],
        ),
    ],
)
def test_split_top_level_splits_only_the_outermost_operator(expression: str, word: str, parts: list[str]) -> None:
    assert split_top_level(expression, word) == parts
