-- pgroonga 3.2.5 stand-in for khepri-db (Supabase ships PGroonga 3.2.5, a C extension on the Groonga
-- full-text engine). What a project's migrations create with it runs unchanged: the access method
-- `pgroonga` (khepri_pgroonga.c: PGroonga's storage parameters accepted, no index data kept, never
-- used by the planner), PGroonga's default operator classes, its search operators and its helper
-- functions. The operators answer by scanning, with the matching documented in
-- docs/extensions/pgroonga.md (normalisation NFKC + lower case, a keyword matches as a substring,
-- `word*` at the start of a word, the query syntax of `&@~` without score operators).
--
-- Every body calls only pg_catalog functions, or binds the extension's own functions when it is
-- created (SQL-standard bodies), so any search_path works and the extension is relocatable.

create function pgroonga_handler(internal)
returns index_am_handler
language c
as 'MODULE_PATHNAME', 'khepri_pgroonga_handler';

-- -- matching ------------------------------------------------------------------------------------

-- a keyword matches where its normalised text is inside the normalised target
create function pgroonga_match_text(target text, keyword text)
returns boolean
language sql
immutable strict parallel safe
return pg_catalog.strpos(
    pg_catalog.lower(pg_catalog.normalize(target, 'NFKC')),
    pg_catalog.lower(pg_catalog.normalize(keyword, 'NFKC'))
) > 0;

-- Groonga's query syntax, evaluated on one value: words (AND), OR, +word, -word (AND NOT), "a phrase",
-- word* (prefix of a word), parentheses and \-escapes, left to right without precedence.
create function pgroonga_query_text(target text, query text)
returns boolean
language plpgsql
immutable strict parallel safe
as $$
declare
    doc text := pg_catalog.lower(pg_catalog.normalize(target, 'NFKC'));
    n int4 := pg_catalog.length(query);
    i int4 := 1;
    ch text;
    word text;
    bare boolean;
    prefix boolean;
    needle text;
    op text := 'and';
    acc boolean;
    val boolean;
    saved_acc boolean[] := '{}';
    saved_op text[] := '{}';
begin
    loop
        while i <= n and pg_catalog.substr(query, i, 1) ~ '\s' loop
            i := i + 1;
        end loop;
        exit when i > n;
        ch := pg_catalog.substr(query, i, 1);
        if ch = '(' then
            saved_acc := saved_acc || acc;
            saved_op := saved_op || op;
            acc := null;
            op := 'and';
            i := i + 1;
            continue;
        elsif ch = ')' then
            if pg_catalog.cardinality(saved_op) = 0 then
                raise exception using
                    errcode = '42601',
                    message = pg_catalog.format('pgroonga: syntax error in query %L: unmatched ")"', query);
            end if;
            val := coalesce(acc, false);
            acc := saved_acc[pg_catalog.cardinality(saved_acc)];
            op := saved_op[pg_catalog.cardinality(saved_op)];
            saved_acc := saved_acc[1:pg_catalog.cardinality(saved_acc) - 1];
            saved_op := saved_op[1:pg_catalog.cardinality(saved_op) - 1];
            i := i + 1;
        elsif ch = '+' then
            op := 'and';
            i := i + 1;
            continue;
        elsif ch = '-' then
            op := 'not';
            i := i + 1;
            continue;
        elsif ch in ('>', '<', '~', '*') then
            raise exception using
                errcode = '0A000',
                message = pg_catalog.format(
                    'pgroonga stand-in: the query operator %L (in %L) is not supported', ch, query
                ),
                hint = 'khepri-db''s pgroonga matches words, OR, +, -, "phrases", word* and parentheses '
                || '(docs/extensions/pgroonga.md); score operators and *N, *D, *S searches need the real '
                || 'PGroonga: Supabase, `supabase start`, or the pytest plugin''s --khepri-engine docker.';
        else
            word := '';
            bare := true;
            prefix := false;
            if ch = '"' then
                i := i + 1;
                loop
                    if i > n then
                        raise exception using
                            errcode = '42601',
                            message = pg_catalog.format('pgroonga: syntax error in query %L: unterminated "', query);
                    end if;
                    ch := pg_catalog.substr(query, i, 1);
                    if ch = '\' and i < n then
                        word := word || pg_catalog.substr(query, i + 1, 1);
                        i := i + 2;
                    elsif ch = '"' then
                        i := i + 1;
                        exit;
                    else
                        word := word || ch;
                        i := i + 1;
                    end if;
                end loop;
                bare := false;
            else
                while i <= n loop
                    ch := pg_catalog.substr(query, i, 1);
                    exit when ch ~ '\s' or ch in ('(', ')');
                    if ch = '\' and i < n then
                        word := word || pg_catalog.substr(query, i + 1, 1);
                        bare := false;
                        prefix := false;
                        i := i + 2;
                    else
                        word := word || ch;
                        prefix := ch = '*';
                        i := i + 1;
                    end if;
                end loop;
                if bare and word = 'OR' then
                    op := 'or';
                    continue;
                end if;
                if prefix then
                    word := pg_catalog.left(word, -1);
                end if;
            end if;
            continue when word = '';
            needle := pg_catalog.lower(pg_catalog.normalize(word, 'NFKC'));
            if prefix then
                val := doc ~ (
                    '(^|[^[:alnum:]_])' || pg_catalog.regexp_replace(needle, '([.^$*+?()\[\]{}|\\])', '\\\1', 'g')
                );
            else
                val := pg_catalog.strpos(doc, needle) > 0;
            end if;
        end if;
        if acc is null then
            acc := case when op = 'not' then not val else val end;
        elsif op = 'or' then
            acc := acc or val;
        elsif op = 'not' then
            acc := acc and not val;
        else
            acc := acc and val;
        end if;
        op := 'and';
    end loop;
    if pg_catalog.cardinality(saved_op) > 0 then
        raise exception using
            errcode = '42601',
            message = pg_catalog.format('pgroonga: syntax error in query %L: unmatched "("', query);
    end if;
    return coalesce(acc, false);
end;
$$;

-- the target starts with the prefix (both normalised)
create function pgroonga_prefix_text(target text, prefix text)
returns boolean
language sql
immutable strict parallel safe
return pg_catalog.starts_with(
    pg_catalog.lower(pg_catalog.normalize(target, 'NFKC')),
    pg_catalog.lower(pg_catalog.normalize(prefix, 'NFKC'))
);

-- a regular expression (PostgreSQL's, case-insensitive) on the normalised target
create function pgroonga_regexp_text(target text, pattern text)
returns boolean
language sql
immutable strict parallel safe
return pg_catalog.lower(pg_catalog.normalize(target, 'NFKC')) ~* pattern;

create function pgroonga_similar_text(target text, document text)
returns boolean
language plpgsql
immutable strict parallel safe
as $$
begin
    raise exception using
        errcode = '0A000',
        message = 'pgroonga stand-in: similar search (&@*) needs the real PGroonga',
        hint = 'It runs on Supabase, `supabase start`, or the pytest plugin''s --khepri-engine docker.';
end;
$$;

create function pgroonga_match_in_text(target text, keywords text[])
returns boolean
language sql
immutable strict parallel safe
begin atomic
    select exists(
        select from pg_catalog.unnest(keywords) as k (keyword)
        where pgroonga_match_text(target, k.keyword)
    );
end;

create function pgroonga_query_in_text(target text, queries text[])
returns boolean
language sql
immutable strict parallel safe
begin atomic
    select exists(
        select from pg_catalog.unnest(queries) as q (query)
        where pgroonga_query_text(target, q.query)
    );
end;

create function pgroonga_prefix_in_text(target text, prefixes text[])
returns boolean
language sql
immutable strict parallel safe
begin atomic
    select exists(
        select from pg_catalog.unnest(prefixes) as p (prefix)
        where pgroonga_prefix_text(target, p.prefix)
    );
end;

create function pgroonga_match_text_array(targets text[], keyword text)
returns boolean
language sql
immutable strict parallel safe
begin atomic
    select exists(
        select from pg_catalog.unnest(targets) as t (target)
        where pgroonga_match_text(t.target, keyword)
    );
end;

create function pgroonga_query_text_array(targets text[], query text)
returns boolean
language sql
immutable strict parallel safe
begin atomic
    select exists(
        select from pg_catalog.unnest(targets) as t (target)
        where pgroonga_query_text(t.target, query)
    );
end;

create function pgroonga_prefix_text_array(targets text[], prefix text)
returns boolean
language sql
immutable strict parallel safe
begin atomic
    select exists(
        select from pg_catalog.unnest(targets) as t (target)
        where pgroonga_prefix_text(t.target, prefix)
    );
end;

-- jsonb: the string values anywhere in the document (keys are not searched)
create function pgroonga_match_jsonb(target jsonb, keyword text)
returns boolean
language sql
immutable strict parallel safe
begin atomic
    select exists(
        select from pg_catalog.jsonb_path_query(target, 'strict $.** ? (@.type() == "string")') as v (value)
        where pgroonga_match_text(v.value #>> '{}', keyword)
    );
end;

create function pgroonga_query_jsonb(target jsonb, query text)
returns boolean
language sql
immutable strict parallel safe
begin atomic
    select pgroonga_query_text(
        coalesce(
            (
                select pg_catalog.string_agg(v.value #>> '{}', e'\n')
                from pg_catalog.jsonb_path_query(target, 'strict $.** ? (@.type() == "string")') as v (value)
            ),
            ''
        ),
        query
    );
end;

-- -- functions --------------------------------------------------------------------------------------

-- As PGroonga answers for rows a sequential scan found: 0 (no index scan computes a score here).
create function pgroonga_score("row" record)
returns double precision
language plpgsql
stable strict parallel safe
as $$
begin
    return 0;
end;
$$;

create function pgroonga_score(tableoid oid, ctid tid)
returns double precision
language sql
stable strict parallel safe
return 0;

create function pgroonga_normalize(target text)
returns text
language sql
immutable strict parallel safe
return pg_catalog.lower(pg_catalog.normalize(target, 'NFKC'));

create function pgroonga_normalize(target text, normalizer_name text)
returns text
language sql
immutable strict parallel safe
return pg_catalog.lower(pg_catalog.normalize(target, 'NFKC'));

-- Groonga's query-syntax escape: a backslash before each of + - < > ~ * ( ) " \ :
create function pgroonga_query_escape(query text)
returns text
language sql
immutable strict parallel safe
return pg_catalog.regexp_replace(query, '([-+<>~*()":\\])', '\\\1', 'g');

-- a Groonga script-syntax string literal
create function pgroonga_escape(value text)
returns text
language sql
immutable strict parallel safe
return '"' || pg_catalog.replace(pg_catalog.replace(value, '\', '\\'), '"', '\"') || '"';

create function pgroonga_escape(value text, special_characters text)
returns text
language sql
immutable strict parallel safe
return '"' || pg_catalog.regexp_replace(
    value,
    '([' || pg_catalog.regexp_replace(special_characters, '([]\\^-])', '\\\1', 'g') || '])',
    '\\\1',
    'g'
) || '"';

create function pgroonga_escape(value boolean)
returns text
language sql
immutable strict parallel safe
return case when value then 'true' else 'false' end;

create function pgroonga_escape(value bigint)
returns text
language sql
immutable strict parallel safe
return value::text;

create function pgroonga_escape(value double precision)
returns text
language sql
immutable strict parallel safe
return value::text;

-- HTML-escaped target with each keyword (case-insensitive) in <span class="keyword">...</span>
create function pgroonga_highlight_html(target text, keywords text[])
returns text
language plpgsql
immutable strict parallel safe
as $$
declare
    escaped text := pg_catalog.replace(
        pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(target, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
        '"',
        '&quot;'
    );
    pattern text;
begin
    select pg_catalog.string_agg(
        pg_catalog.regexp_replace(
            pg_catalog.replace(
                pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(k.keyword, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                '"',
                '&quot;'
            ),
            '([.^$*+?()\[\]{}|\\])',
            '\\\1',
            'g'
        ),
        '|' order by pg_catalog.length(k.keyword) desc
    )
    into pattern
    from pg_catalog.unnest(keywords) as k (keyword)
    where k.keyword <> '';
    if pattern is null then
        return escaped;
    end if;
    return pg_catalog.regexp_replace(escaped, '(' || pattern || ')', '<span class="keyword">\1</span>', 'gi');
end;
$$;

create function pgroonga_highlight_html(targets text[], keywords text[])
returns text[]
language sql
immutable strict parallel safe
begin atomic
    select pg_catalog.array_agg(pgroonga_highlight_html(t.target, keywords) order by t.ord)
    from pg_catalog.unnest(targets) with ordinality as t (target, ord);
end;

-- up to 3 highlighted snippets of about `width` characters around the first keyword matches
create function pgroonga_snippet_html(target text, keywords text[], width integer default 200)
returns text[]
language plpgsql
immutable strict parallel safe
as $$
declare
    doc text := pg_catalog.lower(target);
    found int4[] := '{}';
    snippets text[] := '{}';
    at int4;
    start int4;
    k text;
    from_pos int4;
begin
    foreach k in array keywords loop
        continue when k = '';
        from_pos := 1;
        loop
            at := pg_catalog.strpos(pg_catalog.substr(doc, from_pos), pg_catalog.lower(k));
            exit when at = 0;
            found := found || (from_pos + at - 1);
            from_pos := from_pos + at + pg_catalog.length(k) - 1;
        end loop;
    end loop;
    from_pos := 0;
    foreach at in array coalesce((select pg_catalog.array_agg(f order by f) from pg_catalog.unnest(found) as f), '{}') loop
        continue when at < from_pos;
        exit when pg_catalog.cardinality(snippets) = 3;
        start := greatest(1, at - width / 4);
        snippets := snippets || pgroonga_highlight_html(pg_catalog.substr(target, start, width), keywords);
        from_pos := start + width;
    end loop;
    return snippets;
end;
$$;

create function pgroonga_command(groonga_command text)
returns text
language plpgsql
volatile strict
as $$
begin
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format('pgroonga stand-in: Groonga commands (%s) need the real PGroonga', groonga_command),
        hint = 'khepri-db keeps no Groonga database; the real PGroonga runs on Supabase, `supabase start`, or '
        || 'the pytest plugin''s --khepri-engine docker.';
end;
$$;

create function pgroonga_command(groonga_command text, arguments text[])
returns text
language sql
volatile strict
begin atomic
    select pgroonga_command(groonga_command);
end;

create function pgroonga_query_expand(
    term_table regclass, term_column text, synonyms_column text, query text
)
returns text
language plpgsql
stable strict
as $$
begin
    raise exception using
        errcode = '0A000',
        message = 'pgroonga stand-in: pgroonga_query_expand needs the real PGroonga',
        hint = 'It runs on Supabase, `supabase start`, or the pytest plugin''s --khepri-engine docker.';
end;
$$;

create function pgroonga_flush(index_name text)
returns boolean
language sql
volatile strict
return true;

create function pgroonga_is_writable()
returns boolean
language sql
stable
return true;

create function pgroonga_set_writable(new_writable boolean)
returns boolean
language sql
volatile strict
return true;

create function pgroonga_list_broken_indexes()
returns setof text
language sql
stable
begin atomic
    select null::text
    where false;
end;

create function pgroonga_list_lagged_indexes()
returns setof text
language sql
stable
begin atomic
    select null::text
    where false;
end;

-- -- the access method, the operators and the operator classes --------------------------------------
-- Declared from the lists below in one block (sqlfluff's postgres dialect cannot parse CREATE ACCESS
-- METHOD, CREATE OPERATOR CLASS or operator names such as &@~). The index keeps no data: the
-- operator classes only say which column types a pgroonga index accepts (PGroonga's default ones).

do $declare$
declare
    op record;
    class record;
begin
    execute 'create access method pgroonga type index handler pgroonga_handler';
    for op in
        select o.name, o.function_name, o.leftarg, o.rightarg
        from (
            values
            ('&@', 'pgroonga_match_text', 'text', 'text'),
            ('&@~', 'pgroonga_query_text', 'text', 'text'),
            ('&@*', 'pgroonga_similar_text', 'text', 'text'),
            ('&^', 'pgroonga_prefix_text', 'text', 'text'),
            ('&~', 'pgroonga_regexp_text', 'text', 'text'),
            ('&@|', 'pgroonga_match_in_text', 'text', 'text[]'),
            ('&@~|', 'pgroonga_query_in_text', 'text', 'text[]'),
            ('&^|', 'pgroonga_prefix_in_text', 'text', 'text[]'),
            ('&@', 'pgroonga_match_text_array', 'text[]', 'text'),
            ('&@~', 'pgroonga_query_text_array', 'text[]', 'text'),
            ('&^', 'pgroonga_prefix_text_array', 'text[]', 'text'),
            ('&@', 'pgroonga_match_jsonb', 'jsonb', 'text'),
            ('&@~', 'pgroonga_query_jsonb', 'jsonb', 'text')
        ) as o (name, function_name, leftarg, rightarg)
    loop
        execute pg_catalog.format(
            'create operator %s (procedure = %I, leftarg = %s, rightarg = %s, restrict = contsel, join = contjoinsel)',
            op.name, op.function_name, op.leftarg, op.rightarg
        );
    end loop;
    for class in
        select c.name, c.for_type, c.is_default, c.operators
        from (
            values
            (
                'pgroonga_text_full_text_search_ops_v2', 'text', true,
                array['&@ (text, text)', '&@~ (text, text)', '&@* (text, text)', '&@| (text, text[])',
                    '&@~| (text, text[])']
            ),
            (
                'pgroonga_text_term_search_ops_v2', 'text', false,
                array['< (text, text)', '<= (text, text)', '= (text, text)', '>= (text, text)', '> (text, text)',
                    '&^ (text, text)', '&^| (text, text[])']
            ),
            ('pgroonga_text_regexp_ops_v2', 'text', false, array['&~ (text, text)']),
            ('pgroonga_text_array_full_text_search_ops_v2', 'text[]', true, array['&@ (text[], text)', '&@~ (text[], text)']),
            ('pgroonga_text_array_term_search_ops_v2', 'text[]', false, array['&^ (text[], text)']),
            (
                'pgroonga_varchar_term_search_ops_v2', 'varchar', true,
                array['< (text, text)', '<= (text, text)', '= (text, text)', '>= (text, text)', '> (text, text)',
                    '&^ (text, text)', '&^| (text, text[])']
            ),
            (
                'pgroonga_varchar_full_text_search_ops_v2', 'varchar', false,
                array['&@ (text, text)', '&@~ (text, text)', '&@| (text, text[])', '&@~| (text, text[])']
            ),
            ('pgroonga_varchar_regexp_ops_v2', 'varchar', false, array['&~ (text, text)']),
            ('pgroonga_varchar_array_term_search_ops_v2', 'varchar[]', true, array['&^ (text[], text)']),
            ('pgroonga_jsonb_ops_v2', 'jsonb', true, array['&@ (jsonb, text)', '&@~ (jsonb, text)']),
            ('pgroonga_jsonb_full_text_search_ops_v2', 'jsonb', false, array['&@ (jsonb, text)', '&@~ (jsonb, text)'])
        ) as c (name, for_type, is_default, operators)
        union all
        -- the ordered types PGroonga indexes next to text (multi-column indexes such as (title, created_at))
        select
            'pgroonga_' || t.name || '_ops', t.name, true,
            array(select pg_catalog.format('%s (%s, %s)', o.op, t.name, t.name) from pg_catalog.unnest(array['<', '<=', '=', '>=', '>']) as o (op))
        from pg_catalog.unnest(array['int2', 'int4', 'int8', 'float4', 'float8', 'timestamp', 'timestamptz', 'bool']) as t (name)
    loop
        execute pg_catalog.format(
            'create operator class %I %s for type %s using pgroonga as %s',
            class.name,
            case when class.is_default then 'default' else '' end,
            class.for_type,
            (
                select pg_catalog.string_agg(pg_catalog.format('operator %s %s', o.ord, o.operator), ', ' order by o.ord)
                from pg_catalog.unnest(class.operators) with ordinality as o (operator, ord)
            )
        );
    end loop;
end;
$declare$;
