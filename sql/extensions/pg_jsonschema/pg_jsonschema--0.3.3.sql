-- khepri-db stand-in for pg_jsonschema 0.3.3 (supabase/pg_jsonschema as Supabase ships it):
-- json_matches_schema, jsonb_matches_schema, jsonschema_is_valid and jsonschema_validation_errors
-- with pg_jsonschema's signatures, validating a documented subset of JSON Schema in PL/pgSQL.
-- A standard keyword outside the subset raises 0A000 naming it (docs/extensions/pg_jsonschema.md).

create function _jsonschema_unsupported(keyword text)
returns void
language plpgsql
immutable
set search_path from current
as $$
begin
    raise exception using
        errcode = '0A000',
        message = pg_catalog.format('pg_jsonschema stand-in: JSON Schema keyword "%s" is not supported', keyword),
        hint = 'Supported: type, enum, const, required, properties, additionalProperties, patternProperties, items, '
        || 'minItems, maxItems, uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, '
        || 'minLength, maxLength, pattern, minProperties, maxProperties, anyOf, oneOf, allOf, not, $ref (local). '
        || 'Use an engine with the real pg_jsonschema (pytest --khepri-engine docker, or supabase start).';
end
$$;

create function _jsonschema_type_of(instance jsonb)
returns text
language sql
immutable
set search_path from current
as $$
    select case pg_catalog.jsonb_typeof(instance)
        when 'number' then case when (instance::text)::numeric % 1 = 0 then 'integer' else 'number' end
        else pg_catalog.jsonb_typeof(instance)
    end
$$;

-- The errors of instance against schema (empty when it matches); root resolves local $refs.
create function _jsonschema_errors(schema jsonb, instance jsonb, root jsonb, path text)
returns text[]
language plpgsql
immutable
set search_path from current
as $$
declare
    errors text [] := '{}';
    keyword text;
    value jsonb;
    kind text := _jsonschema_type_of(instance);
    num numeric;
    str text;
    item jsonb;
    idx integer;
    matched integer;
    ref_path text [];
    sub text [];
    prop text;
    ref text;
begin
    if schema = 'true'::jsonb then
        return errors;
    elsif schema = 'false'::jsonb then
        return array[pg_catalog.format('False schema does not allow %s', instance::text)];
    elsif pg_catalog.jsonb_typeof(schema) <> 'object' then
        raise exception using errcode = '22023', message = pg_catalog.format('invalid JSON schema at %s: %s', path, schema);
    end if;
    if kind in ('number', 'integer') then
        num := (instance::text)::numeric;
    elsif kind = 'string' then
        str := instance #>> '{}';
    end if;
    for keyword, value in select e.key, e.value from pg_catalog.jsonb_each(schema) as e loop
        case keyword
        when '$schema', '$id', 'id', 'title', 'description', 'default', 'examples', '$comment', 'readOnly',
            'writeOnly', 'deprecated', 'format', 'definitions', '$defs', 'contentMediaType', 'contentEncoding' then
            null;  -- annotations (format is one too: not asserted)
        when 'type' then
            if not exists (
                select from pg_catalog.jsonb_array_elements_text(
                    case when pg_catalog.jsonb_typeof(value) = 'array' then value else pg_catalog.jsonb_build_array(value) end
                ) as t (name)
                where t.name = kind or (t.name = 'number' and kind = 'integer')
            ) then
                errors := errors || pg_catalog.format('%s is not of type %s', instance::text, value::text);
            end if;
        when 'enum' then
            if not exists (select from pg_catalog.jsonb_array_elements(value) as v (x) where v.x = instance) then
                errors := errors || pg_catalog.format('%s is not one of %s', instance::text, value::text);
            end if;
        when 'const' then
            if value <> instance then
                errors := errors || pg_catalog.format('%s was expected', value::text);
            end if;
        when 'required' then
            if kind = 'object' then
                errors := errors || array(
                    select pg_catalog.format('%s is a required property', pg_catalog.to_jsonb(r.name)::text)
                    from pg_catalog.jsonb_array_elements_text(value) as r (name)
                    where not instance ? r.name
                );
            end if;
        when 'properties' then
            if kind = 'object' then
                for prop, item in select e.key, e.value from pg_catalog.jsonb_each(value) as e loop
                    if instance ? prop then
                        errors := errors || _jsonschema_errors(item, instance -> prop, root, path || '/' || prop);
                    end if;
                end loop;
            end if;
        when 'patternProperties' then
            if kind = 'object' then
                for prop, item in select e.key, e.value from pg_catalog.jsonb_each(value) as e loop
                    errors := errors || array(
                        select x
                        from pg_catalog.jsonb_each(instance) as p,
                            lateral pg_catalog.unnest(_jsonschema_errors(item, p.value, root, path || '/' || p.key)) as x
                        where p.key ~ prop
                    );
                end loop;
            end if;
        when 'additionalProperties' then
            if kind = 'object' then
                for prop in
                    select p.key from pg_catalog.jsonb_object_keys(instance) as p (key)
                    where
                        not coalesce(schema -> 'properties' ? p.key, false)
                        and not exists (
                            select from pg_catalog.jsonb_object_keys(coalesce(schema -> 'patternProperties', '{}')) as pp (re)
                            where p.key ~ pp.re
                        )
                loop
                    if value = 'false'::jsonb then
                        errors := errors || pg_catalog.format(
                            'Additional properties are not allowed (%s was unexpected)', pg_catalog.to_jsonb(prop)::text
                        );
                    else
                        errors := errors || _jsonschema_errors(value, instance -> prop, root, path || '/' || prop);
                    end if;
                end loop;
            end if;
        when 'items' then
            if kind = 'array' then
                idx := 0;
                for item in select a.x from pg_catalog.jsonb_array_elements(instance) as a (x) loop
                    if pg_catalog.jsonb_typeof(value) = 'array' then
                        if idx < pg_catalog.jsonb_array_length(value) then
                            errors := errors || _jsonschema_errors(value -> idx, item, root, path || '/' || idx);
                        end if;
                    else
                        errors := errors || _jsonschema_errors(value, item, root, path || '/' || idx);
                    end if;
                    idx := idx + 1;
                end loop;
            end if;
        when 'minItems' then
            if kind = 'array' and pg_catalog.jsonb_array_length(instance) < value::text::numeric then
                errors := errors || pg_catalog.format('%s has less than %s items', instance::text, value::text);
            end if;
        when 'maxItems' then
            if kind = 'array' and pg_catalog.jsonb_array_length(instance) > value::text::numeric then
                errors := errors || pg_catalog.format('%s has more than %s items', instance::text, value::text);
            end if;
        when 'uniqueItems' then
            if kind = 'array' and value = 'true'::jsonb and (
                select count(distinct a.x) <> count(*) from pg_catalog.jsonb_array_elements(instance) as a (x)
            ) then
                errors := errors || pg_catalog.format('%s has non-unique elements', instance::text);
            end if;
        when 'minProperties' then
            if kind = 'object' and (select count(*) from pg_catalog.jsonb_object_keys(instance)) < value::text::numeric then
                errors := errors || pg_catalog.format('%s has less than %s properties', instance::text, value::text);
            end if;
        when 'maxProperties' then
            if kind = 'object' and (select count(*) from pg_catalog.jsonb_object_keys(instance)) > value::text::numeric then
                errors := errors || pg_catalog.format('%s has more than %s properties', instance::text, value::text);
            end if;
        when 'minimum' then
            if num is not null and num < value::text::numeric then
                errors := errors || pg_catalog.format('%s is less than the minimum of %s', instance::text, value::text);
            end if;
        when 'maximum' then
            if num is not null and num > value::text::numeric then
                errors := errors || pg_catalog.format('%s is greater than the maximum of %s', instance::text, value::text);
            end if;
        when 'exclusiveMinimum' then
            if pg_catalog.jsonb_typeof(value) = 'boolean' then
                perform _jsonschema_unsupported('exclusiveMinimum (draft 4 boolean form)');
            end if;
            if num is not null and num <= value::text::numeric then
                errors := errors || pg_catalog.format(
                    '%s is less than or equal to the minimum of %s', instance::text, value::text
                );
            end if;
        when 'exclusiveMaximum' then
            if pg_catalog.jsonb_typeof(value) = 'boolean' then
                perform _jsonschema_unsupported('exclusiveMaximum (draft 4 boolean form)');
            end if;
            if num is not null and num >= value::text::numeric then
                errors := errors || pg_catalog.format(
                    '%s is greater than or equal to the maximum of %s', instance::text, value::text
                );
            end if;
        when 'multipleOf' then
            if num is not null and num % value::text::numeric <> 0 then
                errors := errors || pg_catalog.format('%s is not a multiple of %s', instance::text, value::text);
            end if;
        when 'minLength' then
            if str is not null and pg_catalog.length(str) < value::text::numeric then
                errors := errors || pg_catalog.format('%s is shorter than %s characters', instance::text, value::text);
            end if;
        when 'maxLength' then
            if str is not null and pg_catalog.length(str) > value::text::numeric then
                errors := errors || pg_catalog.format('%s is longer than %s characters', instance::text, value::text);
            end if;
        when 'pattern' then
            if str is not null and str !~ (value #>> '{}') then
                errors := errors || pg_catalog.format('%s does not match %s', instance::text, value::text);
            end if;
        when 'allOf' then
            for item in select a.x from pg_catalog.jsonb_array_elements(value) as a (x) loop
                errors := errors || _jsonschema_errors(item, instance, root, path);
            end loop;
        when 'anyOf', 'oneOf' then
            matched := 0;
            for item in select a.x from pg_catalog.jsonb_array_elements(value) as a (x) loop
                if pg_catalog.cardinality(_jsonschema_errors(item, instance, root, path)) = 0 then
                    matched := matched + 1;
                end if;
            end loop;
            if matched = 0 then
                errors := errors || pg_catalog.format('%s is not valid under any of the schemas listed in the ''%s'' keyword',
                    instance::text, keyword);
            elsif keyword = 'oneOf' and matched > 1 then
                errors := errors || pg_catalog.format('%s is valid under more than one of the schemas listed in the ''oneOf'' keyword',
                    instance::text);
            end if;
        when 'not' then
            if pg_catalog.cardinality(_jsonschema_errors(value, instance, root, path)) = 0 then
                errors := errors || pg_catalog.format('%s is not allowed for %s', value::text, instance::text);
            end if;
        when '$ref' then
            ref := value #>> '{}';
            if ref = '#' then
                sub := _jsonschema_errors(root, instance, root, path);
            elsif ref like '#/%' then
                ref_path := array(
                    select pg_catalog.replace(pg_catalog.replace(p.part, '~1', '/'), '~0', '~')
                    from pg_catalog.unnest(pg_catalog.string_to_array(pg_catalog.substr(ref, 3), '/')) with ordinality as p (part, n)
                    order by p.n
                );
                if root #> ref_path is null then
                    raise exception using errcode = '22023', message = pg_catalog.format('unresolvable JSON Schema $ref %s', ref);
                end if;
                sub := _jsonschema_errors(root #> ref_path, instance, root, path);
            else
                perform _jsonschema_unsupported('$ref (to ' || ref || ')');
            end if;
            errors := errors || sub;
        when 'if', 'then', 'else', 'dependencies', 'dependentRequired', 'dependentSchemas', 'propertyNames',
            'contains', 'minContains', 'maxContains', 'prefixItems', 'additionalItems', 'unevaluatedItems',
            'unevaluatedProperties', '$dynamicRef', '$dynamicAnchor', '$recursiveRef', '$recursiveAnchor', '$anchor',
            '$vocabulary' then
            perform _jsonschema_unsupported(keyword);
        else
            null;  -- unknown keywords are ignored, as JSON Schema says
        end case;
    end loop;
    return errors;
end
$$;

create function jsonb_matches_schema(schema json, instance jsonb)
returns boolean
language sql
immutable strict parallel safe
set search_path from current
as $$
    select pg_catalog.cardinality(_jsonschema_errors(schema::jsonb, instance, schema::jsonb, '')) = 0
$$;

create function json_matches_schema(schema json, instance json)
returns boolean
language sql
immutable strict parallel safe
set search_path from current
as $$
    select jsonb_matches_schema(schema, instance::jsonb)
$$;

create function jsonschema_validation_errors(schema json, instance json)
returns text[]
language sql
immutable strict parallel safe
set search_path from current
as $$
    select _jsonschema_errors(schema::jsonb, instance::jsonb, schema::jsonb, '')
$$;

-- Whether schema is a well-formed schema: an object or a boolean, whose keywords of the subset
-- have values of the right JSON type (and whose subschemas are well formed in turn).
create function _jsonschema_problem(schema jsonb, path text)
returns text
language plpgsql
immutable
set search_path from current
as $$
declare
    keyword text;
    value jsonb;
    problem text;
    item jsonb;
    key text;
begin
    if pg_catalog.jsonb_typeof(schema) = 'boolean' then
        return null;
    elsif pg_catalog.jsonb_typeof(schema) <> 'object' then
        return coalesce(nullif(path, ''), '/');
    end if;
    for keyword, value in select e.key, e.value from pg_catalog.jsonb_each(schema) as e loop
        problem := case
            when keyword = 'type' and not (
                pg_catalog.jsonb_typeof(value) = 'string'
                and value #>> '{}' in ('null', 'boolean', 'object', 'array', 'number', 'integer', 'string')
                or pg_catalog.jsonb_typeof(value) = 'array'
                and not exists (
                    select from pg_catalog.jsonb_array_elements(value) as t (x)
                    where t.x #>> '{}' not in ('null', 'boolean', 'object', 'array', 'number', 'integer', 'string')
                )
            ) then path || '/type'
            when keyword in ('enum', 'required', 'allOf', 'anyOf', 'oneOf') and pg_catalog.jsonb_typeof(value) <> 'array'
                then path || '/' || keyword
            when keyword in ('properties', 'patternProperties', 'definitions', '$defs')
                and pg_catalog.jsonb_typeof(value) <> 'object' then path || '/' || keyword
            when keyword in (
                'minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties'
            ) and (pg_catalog.jsonb_typeof(value) <> 'number' or (value::text)::numeric < 0 or (value::text)::numeric % 1 <> 0)
                then path || '/' || keyword
            when keyword in ('minimum', 'maximum', 'multipleOf') and pg_catalog.jsonb_typeof(value) <> 'number'
                then path || '/' || keyword
            when keyword = 'pattern' and pg_catalog.jsonb_typeof(value) <> 'string' then path || '/pattern'
            when keyword = 'uniqueItems' and pg_catalog.jsonb_typeof(value) <> 'boolean' then path || '/uniqueItems'
        end;
        if problem is not null then
            return problem;
        end if;
        if keyword in ('properties', 'patternProperties', 'definitions', '$defs') then
            for key, item in select e.key, e.value from pg_catalog.jsonb_each(value) as e loop
                problem := _jsonschema_problem(item, path || '/' || keyword || '/' || key);
                if problem is not null then
                    return problem;
                end if;
            end loop;
        elsif keyword in ('allOf', 'anyOf', 'oneOf') then
            for key, item in select (a.n - 1)::text, a.x from pg_catalog.jsonb_array_elements(value) with ordinality as a (x, n) loop
                problem := _jsonschema_problem(item, path || '/' || keyword || '/' || key);
                if problem is not null then
                    return problem;
                end if;
            end loop;
        elsif keyword in ('not', 'additionalProperties', 'items') and pg_catalog.jsonb_typeof(value) <> 'array' then
            problem := _jsonschema_problem(value, path || '/' || keyword);
            if problem is not null then
                return problem;
            end if;
        elsif keyword in ('if', 'then', 'else', 'dependencies', 'dependentRequired', 'dependentSchemas', 'propertyNames',
            'contains', 'minContains', 'maxContains', 'prefixItems', 'additionalItems', 'unevaluatedItems',
            'unevaluatedProperties', '$dynamicRef', '$dynamicAnchor', '$recursiveRef', '$recursiveAnchor', '$anchor',
            '$vocabulary') then
            perform _jsonschema_unsupported(keyword);
        end if;
    end loop;
    return null;
end
$$;

create function jsonschema_is_valid(schema json)
returns boolean
language plpgsql
immutable strict parallel safe
set search_path from current
as $$
declare
    problem text := _jsonschema_problem(schema::jsonb, '');
begin
    if problem is not null then
        raise notice 'Invalid JSON schema at path: %', problem;
        return false;
    end if;
    return true;
end
$$;
