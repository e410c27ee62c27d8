-- name: unused_index
-- title: Unused Index
-- level: INFO
-- facing: EXTERNAL
-- categories: PERFORMANCE
-- splinter: 0005
-- Same rule as Supabase's linter 0005 (never scanned since statistics were reset; unique and
-- primary-key indexes are kept, they enforce constraints), except that an index is only judged
-- when its table has been read through some index since the statistics were reset: on a new or
-- idle database every index is "unused" (migrations only scan tables sequentially, to validate
-- constraints), which says nothing. Tables that are only written or only scanned sequentially are
-- therefore not judged. An index whose leading columns are exactly a foreign key's columns is
-- never reported either: it serves the key's checks when referenced rows are deleted or updated,
-- and dropping it would be reported by unindexed_foreign_keys.
select
    'unused_index' as name,
    'Unused Index' as title,
    'INFO' as level,
    'EXTERNAL' as facing,
    array['PERFORMANCE'] as categories,
    'Detects indexes that have never been scanned since the statistics were reset although their table is '
    || 'read through other indexes: they cost every write and take space without serving a query.' as description,
    format(
        'Index `%s` on table `%s.%s` has not been used, while the table''s other indexes served %s scan(s) '
        || 'since the statistics were reset. If no query needs it, `drop index %I.%I;`.',
        s.indexrelname,
        s.schemaname,
        s.relname,
        t.idx_scan,
        s.schemaname,
        s.indexrelname
    ) as detail,
    'https://supabase.com/docs/guides/database/database-linter?lint=0005_unused_index' as remediation,
    jsonb_build_object('schema', s.schemaname, 'name', s.relname, 'type', 'table', 'index', s.indexrelname)
        as metadata,
    format('unused_index_%s_%s_%s', s.schemaname, s.relname, s.indexrelname) as cache_key
from pg_catalog.pg_stat_user_indexes as s
inner join pg_catalog.pg_index as i on s.indexrelid = i.indexrelid
inner join pg_catalog.pg_stat_user_tables as t on s.relid = t.relid
where
    s.idx_scan = 0
    and not i.indisunique
    and not i.indisprimary
    and coalesce(t.idx_scan, 0) > 0
    and not (
        i.indpred is null
        and exists (
            select 1
            from pg_catalog.pg_constraint as con
            where
                con.contype = 'f'
                and con.conrelid = s.relid
                and (
                    select array_agg(u.k order by u.k)
                    from unnest(i.indkey) with ordinality as u (k, position)
                    where u.position <= cardinality(con.conkey)
                ) = (select array_agg(k order by k) from unnest(con.conkey) as k)
        )
    )
    and s.schemaname <> all(string_to_array(current_setting('khepri.excluded_schemas'), ','))
    and s.schemaname not like 'pg\_%'
    and not exists (
        select 1 from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = s.relid and d.deptype = 'e'
    )
order by s.schemaname, s.relname, s.indexrelname
