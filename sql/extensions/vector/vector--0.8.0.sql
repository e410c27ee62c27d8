-- pgvector 0.8.0 stand-in for khepri-db (Supabase ships pgvector; Debian's PostgreSQL 15 has no
-- package for it, so the system engine gets this one; the embedded engine's PostgreSQL 18 ships the
-- real pgvector, which wins). The vector type, its functions, operators, casts and aggregates-free
-- arithmetic are C (khepri_vector.c), written from pgvector's documented interface and checked
-- against the real one by tests/extensions/test_vector.py; hnsw and ivfflat indexes take pgvector's storage
-- parameters and stay empty (nearest-neighbour queries are exact scans). Not here: halfvec,
-- sparsevec, bit distances, avg/sum, binary_quantize. See docs/extensions/vector.md.
--
-- Declared in one block (sqlfluff's postgres dialect cannot parse CREATE TYPE with its I/O functions,
-- operators, operator classes or access methods): first the shell type, then the C functions, then
-- the rest.

do $declare$
declare
    f record;
    op record;
    class record;
begin
    execute 'create type vector';
    for f in
        select d.name, d.args, d.returns, d.symbol, d.ord
        from (
            values
            ('vector_in', 'cstring, oid, integer', 'vector', 'khepri_vector_in', 0),
            ('vector_out', 'vector', 'cstring', 'khepri_vector_out', 1),
            ('vector_typmod_in', 'cstring[]', 'integer', 'khepri_vector_typmod_in', 2),
            ('vector_recv', 'internal, oid, integer', 'vector', 'khepri_vector_recv', 3),
            ('vector_send', 'vector', 'bytea', 'khepri_vector_send', 4),
            ('vector', 'vector, integer, boolean', 'vector', 'khepri_vector_typmod', 5),
            ('array_to_vector', 'integer[], integer, boolean', 'vector', 'khepri_array_to_vector', 6),
            ('array_to_vector', 'real[], integer, boolean', 'vector', 'khepri_array_to_vector', 7),
            ('array_to_vector', 'double precision[], integer, boolean', 'vector', 'khepri_array_to_vector', 8),
            ('array_to_vector', 'numeric[], integer, boolean', 'vector', 'khepri_array_to_vector', 9),
            ('vector_to_float4', 'vector, integer, boolean', 'real[]', 'khepri_vector_to_float4', 10),
            ('l2_distance', 'vector, vector', 'double precision', 'khepri_l2_distance', 11),
            ('vector_l2_squared_distance', 'vector, vector', 'double precision', 'khepri_l2_squared_distance', 12),
            ('inner_product', 'vector, vector', 'double precision', 'khepri_inner_product', 13),
            ('vector_negative_inner_product', 'vector, vector', 'double precision', 'khepri_negative_inner_product', 14),
            ('cosine_distance', 'vector, vector', 'double precision', 'khepri_cosine_distance', 15),
            ('l1_distance', 'vector, vector', 'double precision', 'khepri_l1_distance', 16),
            ('vector_dims', 'vector', 'integer', 'khepri_vector_dims', 17),
            ('vector_norm', 'vector', 'double precision', 'khepri_vector_norm', 18),
            ('l2_normalize', 'vector', 'vector', 'khepri_l2_normalize', 19),
            ('vector_add', 'vector, vector', 'vector', 'khepri_vector_add', 20),
            ('vector_sub', 'vector, vector', 'vector', 'khepri_vector_sub', 21),
            ('vector_mul', 'vector, vector', 'vector', 'khepri_vector_mul', 22),
            ('vector_concat', 'vector, vector', 'vector', 'khepri_vector_concat', 23),
            ('subvector', 'vector, integer, integer', 'vector', 'khepri_subvector', 24),
            ('vector_lt', 'vector, vector', 'boolean', 'khepri_vector_lt', 25),
            ('vector_le', 'vector, vector', 'boolean', 'khepri_vector_le', 26),
            ('vector_eq', 'vector, vector', 'boolean', 'khepri_vector_eq', 27),
            ('vector_ne', 'vector, vector', 'boolean', 'khepri_vector_ne', 28),
            ('vector_ge', 'vector, vector', 'boolean', 'khepri_vector_ge', 29),
            ('vector_gt', 'vector, vector', 'boolean', 'khepri_vector_gt', 30),
            ('vector_cmp', 'vector, vector', 'integer', 'khepri_vector_cmp', 31)
        ) as d (name, args, returns, symbol, ord)
        order by d.ord
    loop
        execute pg_catalog.format(
            'create function %I(%s) returns %s language c immutable strict parallel safe as %L, %L',
            f.name, f.args, f.returns, 'MODULE_PATHNAME', f.symbol
        );
    end loop;
    execute 'create type vector (input = vector_in, output = vector_out, typmod_in = vector_typmod_in, '
    || 'receive = vector_recv, send = vector_send, storage = external)';
    execute 'create cast (vector as vector) with function vector(vector, integer, boolean) as implicit';
    execute 'create cast (integer[] as vector) with function array_to_vector(integer[], integer, boolean) as assignment';
    execute 'create cast (real[] as vector) with function array_to_vector(real[], integer, boolean) as assignment';
    execute 'create cast (double precision[] as vector) '
    || 'with function array_to_vector(double precision[], integer, boolean) as assignment';
    execute 'create cast (numeric[] as vector) with function array_to_vector(numeric[], integer, boolean) as assignment';
    execute 'create cast (vector as real[]) with function vector_to_float4(vector, integer, boolean) as implicit';
    for op in
        select o.name, o.function_name, o.commutator, o.extra
        from (
            values
            ('<->', 'l2_distance', '<->', ''),
            ('<#>', 'vector_negative_inner_product', '<#>', ''),
            ('<=>', 'cosine_distance', '<=>', ''),
            ('<+>', 'l1_distance', '<+>', ''),
            ('+', 'vector_add', '+', ''),
            ('-', 'vector_sub', '', ''),
            ('*', 'vector_mul', '*', ''),
            ('||', 'vector_concat', '', ''),
            ('<', 'vector_lt', '>', ', negator = >=, restrict = scalarltsel, join = scalarltjoinsel'),
            ('<=', 'vector_le', '>=', ', negator = >, restrict = scalarlesel, join = scalarlejoinsel'),
            ('=', 'vector_eq', '=', ', negator = <>, restrict = eqsel, join = eqjoinsel'),
            ('<>', 'vector_ne', '<>', ', negator = =, restrict = eqsel, join = eqjoinsel'),
            ('>=', 'vector_ge', '<=', ', negator = <, restrict = scalargesel, join = scalargejoinsel'),
            ('>', 'vector_gt', '<', ', negator = <=, restrict = scalargtsel, join = scalargtjoinsel')
        ) as o (name, function_name, commutator, extra)
    loop
        execute pg_catalog.format(
            'create operator %s (leftarg = vector, rightarg = vector, function = %I%s%s)',
            op.name, op.function_name,
            case when op.commutator <> '' then ', commutator = ' || op.commutator else '' end,
            op.extra
        );
    end loop;
    execute 'create function hnswhandler(internal) returns index_am_handler language c as '
    || '''MODULE_PATHNAME'', ''khepri_hnsw_handler''';
    execute 'create function ivfflathandler(internal) returns index_am_handler language c as '
    || '''MODULE_PATHNAME'', ''khepri_ivfflat_handler''';
    execute 'create access method hnsw type index handler hnswhandler';
    execute 'create access method ivfflat type index handler ivfflathandler';
    execute 'create operator class vector_ops default for type vector using btree as '
    || 'operator 1 <, operator 2 <=, operator 3 =, operator 4 >=, operator 5 >, function 1 vector_cmp(vector, vector)';
    for class in
        select c.name, c.method, c.operator
        from (
            values
            ('vector_l2_ops', 'ivfflat', '<->'),
            ('vector_ip_ops', 'ivfflat', '<#>'),
            ('vector_cosine_ops', 'ivfflat', '<=>'),
            ('vector_l2_ops', 'hnsw', '<->'),
            ('vector_ip_ops', 'hnsw', '<#>'),
            ('vector_cosine_ops', 'hnsw', '<=>'),
            ('vector_l1_ops', 'hnsw', '<+>')
        ) as c (name, method, operator)
    loop
        execute pg_catalog.format(
            'create operator class %I %s for type vector using %I as operator 1 %s (vector, vector) for order by float_ops',
            class.name,
            case when class.name = 'vector_l2_ops' and class.method = 'ivfflat' then 'default' else '' end,
            class.method,
            class.operator
        );
    end loop;
end;
$declare$;
