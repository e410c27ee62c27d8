-- khepri-db stand-in for pg_cron 1.6.4 (citusdata/pg_cron as Supabase ships it): the cron schema,
-- its tables and functions with pg_cron's signatures, schedule validation and error texts. Jobs
-- are recorded in cron.job and never run by the server; khepri_db.platform.run_cron_job (CLI:
-- `khepri-db cron run`) runs one on demand and records the run in cron.job_run_details.

create schema cron;

create sequence cron.jobid_seq;

create table cron.job (
    jobid bigint primary key default pg_catalog.nextval('cron.jobid_seq'),
    schedule text not null,
    command text not null,
    nodename text not null default 'localhost',
    nodeport integer not null default pg_catalog.inet_server_port(),
    database text not null default pg_catalog.current_database(),
    username text not null default current_user,
    active boolean not null default true,
    jobname text,
    constraint jobname_username_uniq unique (jobname, username)
);

alter table cron.job enable row level security;

create policy cron_job_policy on cron.job using (username operator (pg_catalog.=) current_user);

create sequence cron.runid_seq;

create table cron.job_run_details (
    jobid bigint,
    runid bigint primary key default pg_catalog.nextval('cron.runid_seq'),
    job_pid integer,
    database text,
    username text,
    command text,
    status text,
    return_message text,
    start_time timestamptz,
    end_time timestamptz
);

alter table cron.job_run_details enable row level security;

create policy cron_job_run_details_policy on cron.job_run_details
using (username operator (pg_catalog.=) current_user);

-- pg_cron's grants. The stand-in's functions run as their caller (pg_cron's C code switches to the
-- extension owner instead), so the caller also needs write access: row level security keeps it to
-- the caller's own jobs, as pg_cron's functions do.
grant select on cron.job to public;
grant insert, update, delete on cron.job to public;
grant select, delete on cron.job_run_details to public;
grant select on sequence cron.jobid_seq to public;
grant select on sequence cron.runid_seq to public;
grant usage on sequence cron.jobid_seq to public;

select pg_catalog.pg_extension_config_dump('cron.job', '');
select pg_catalog.pg_extension_config_dump('cron.jobid_seq', '');
select pg_catalog.pg_extension_config_dump('cron.job_run_details', '');
select pg_catalog.pg_extension_config_dump('cron.runid_seq', '');

create function cron.job_cache_invalidate()
returns trigger
language plpgsql
as $$
begin
    -- pg_cron's background worker reloads its job cache here; the stand-in has no worker.
    return null;
end
$$;

comment on function cron.job_cache_invalidate() is 'invalidate job cache';

create trigger cron_job_cache_invalidate
after insert or update or delete or truncate on cron.job
for each statement execute function cron.job_cache_invalidate();

-- The schedule parser: a port of pg_cron's (Vixie cron's) character-level parser, so the same
-- strings are accepted, quirks included (text after the fifth field is ignored, as in a crontab
-- line). Characters are handled as code points: 0 is the end of the text, -1 is past it (EOF).

create function cron._char_at(schedule text, pos integer)
returns integer
language sql
immutable strict parallel safe
as $$
    select case
        when pos <= pg_catalog.length(schedule) then pg_catalog.ascii(pg_catalog.substr(schedule, pos, 1))
        when pos = pg_catalog.length(schedule) + 1 then 0
        else -1
    end
$$;

create function cron._parse_number(
    schedule text, inout pos integer, inout ch integer, low integer, names text[], out num bigint
)
language plpgsql
immutable parallel safe
as $$
declare
    token text := '';
    value numeric;
begin
    num := 0;
    while (ch between 48 and 57) or (ch between 65 and 90) or (ch between 97 and 122) loop
        if pg_catalog.length(token) + 1 >= 1000 then
            ch := -1;
            return;
        end if;
        token := token || pg_catalog.chr(ch);
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
    end loop;
    if token = '' then
        ch := -1;
        return;
    end if;
    if names is not null then
        for i in 1 .. pg_catalog.array_length(names, 1) loop
            if pg_catalog.lower(names[i]) = pg_catalog.lower(token) then
                num := i - 1 + low;
                return;
            end if;
        end loop;
    end if;
    if token !~ '^[0-9]+$' then
        ch := -1;
        return;
    end if;
    -- atoi: strtol clamps at LONG_MAX, then the value is truncated to a C int.
    value := token::numeric;
    if value > 9223372036854775807 then
        value := 9223372036854775807;
    end if;
    value := value % 4294967296;
    num := case when value >= 2147483648 then value - 4294967296 else value end;
end
$$;

create function cron._parse_range(
    schedule text, inout pos integer, inout ch integer, low integer, high integer, names text[]
)
language plpgsql
immutable parallel safe
as $$
declare
    num1 bigint;
    num2 bigint;
    num3 bigint;
begin
    if ch = 42 then  -- '*': first-last, still subject to /step
        num1 := low;
        num2 := high;
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
        if ch = -1 then
            return;
        end if;
    else
        select r.pos, r.ch, r.num into pos, ch, num1 from cron._parse_number(schedule, pos, ch, low, names) as r;
        if ch = -1 then
            return;
        end if;
        if ch <> 45 then  -- a single number; a step needs a range ('1/20' is refused)
            if ch = 47 or num1 < low or num1 > high then
                ch := -1;
            end if;
            return;
        end if;
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
        if ch = -1 then
            return;
        end if;
        select r.pos, r.ch, r.num into pos, ch, num2 from cron._parse_number(schedule, pos, ch, low, names) as r;
        if ch = -1 then
            return;
        end if;
    end if;
    if ch = 47 then  -- '/step'
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
        if ch = -1 then
            return;
        end if;
        select r.pos, r.ch, r.num into pos, ch, num3 from cron._parse_number(schedule, pos, ch, 0, null) as r;
        if ch = -1 or num3 <= 0 then
            ch := -1;
            return;
        end if;
    else
        num3 := 1;
    end if;
    if num1 < low or num1 > high or num2 < low or num2 > high or num3 < 0 or num3 > high then
        ch := -1;
    end if;
end
$$;

create function cron._parse_field(
    schedule text, inout pos integer, inout ch integer, low integer, high integer, names text[]
)
language plpgsql
immutable parallel safe
as $$
begin
    loop
        select r.pos, r.ch into pos, ch from cron._parse_range(schedule, pos, ch, low, high, names) as r;
        exit when ch <> 44;  -- ','
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
    end loop;
    while ch not in (9, 32, 10, -1, 0) loop
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
    end loop;
    while ch in (9, 32) loop
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
    end loop;
end
$$;

create function cron._is_cron_entry(schedule text)
returns boolean
language plpgsql
immutable strict parallel safe
as $$
declare
    pos integer := 0;
    ch integer;
    macro text := '';
    months constant text [] := array['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    days constant text [] := array['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
begin
    if pg_catalog.octet_length(schedule) >= 1000 then
        return false;
    end if;
    -- skip blank and comment lines
    loop
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
        exit when ch = -1;
        while ch in (32, 9) loop
            pos := pos + 1;
            ch := cron._char_at(schedule, pos);
        end loop;
        exit when ch = -1 or (ch <> 10 and ch <> 35);
        while ch not in (10, -1) loop
            pos := pos + 1;
            ch := cron._char_at(schedule, pos);
        end loop;
    end loop;
    if ch = -1 then
        return false;
    end if;
    if ch = 64 then  -- '@macro'
        loop
            pos := pos + 1;
            ch := cron._char_at(schedule, pos);
            exit when ch in (-1, 0, 32, 9, 10);
            macro := macro || pg_catalog.chr(ch);
        end loop;
        return macro in ('reboot', 'restart', 'yearly', 'annually', 'monthly', 'weekly', 'daily', 'midnight', 'hourly');
    end if;
    select r.pos, r.ch into pos, ch from cron._parse_field(schedule, pos, ch, 0, 59, null) as r;
    if ch = -1 then
        return false;
    end if;
    select r.pos, r.ch into pos, ch from cron._parse_field(schedule, pos, ch, 0, 23, null) as r;
    if ch = -1 then
        return false;
    end if;
    if ch = 36 then  -- '$': last day of the month
        pos := pos + 1;
        ch := cron._char_at(schedule, pos);
        if ch not in (9, 32) then
            return false;
        end if;
        while ch in (9, 32) loop
            pos := pos + 1;
            ch := cron._char_at(schedule, pos);
        end loop;
    else
        select r.pos, r.ch into pos, ch from cron._parse_field(schedule, pos, ch, 1, 31, null) as r;
    end if;
    if ch = -1 then
        return false;
    end if;
    select r.pos, r.ch into pos, ch from cron._parse_field(schedule, pos, ch, 1, 12, months) as r;
    if ch = -1 then
        return false;
    end if;
    select r.pos, r.ch into pos, ch from cron._parse_field(schedule, pos, ch, 0, 7, days) as r;
    return ch <> -1;
end
$$;

-- pg_cron's interval form: sscanf(lower(schedule), " %u secon%c%c %c") with 1 to 59 seconds.
create function cron._interval_seconds(schedule text)
returns integer
language plpgsql
immutable strict parallel safe
as $$
declare
    parts text [];
    value numeric;
begin
    parts := pg_catalog.regexp_match(
        pg_catalog.lower(schedule), '^[ \t\n\r\f\v]*([+-]?)([0-9]+)[ \t\n\r\f\v]*secon(d|ds[ \t\n\r\f\v]*)$'
    );
    if parts is null then
        return null;
    end if;
    value := parts[2]::numeric;
    if value > 18446744073709551615 then
        value := 18446744073709551615;
    elsif parts[1] = '-' then
        value := (18446744073709551616 - value) % 18446744073709551616;
    end if;
    value := value % 4294967296;  -- strtoul's result stored in an unsigned int
    if value > 0 and value < 60 then
        return value::integer;
    end if;
    return null;
end
$$;

create function cron._check_schedule(schedule text)
returns void
language plpgsql
immutable parallel safe
as $$
begin
    if not (cron._is_cron_entry(schedule) or cron._interval_seconds(schedule) is not null) then
        raise exception using
            errcode = '22023',
            message = pg_catalog.format('invalid schedule: %s', schedule),
            hint = 'Use cron format (e.g. 5 4 * * *), or interval format ''[1-59] seconds''';
    end if;
end
$$;

-- Checks pg_cron makes on the role a job runs as and the database it runs in.
create function cron._check_job_target(job_user text, job_database text)
returns void
language plpgsql
stable
as $$
declare
    superuser_jobs text := pg_catalog.lower(coalesce(pg_catalog.current_setting('cron.enable_superuser_jobs', true), 'on'));
begin
    if superuser_jobs in ('off', 'false', '0', 'no')
        and (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = job_user) then
        raise exception using
            errcode = '42501',
            message = 'cannot schedule jobs as superuser',
            detail = 'Scheduling jobs as superuser is disallowed when cron.enable_superuser_jobs is set to off.';
    end if;
    if job_database is not null then
        if not exists (select from pg_catalog.pg_database as d where d.datname = job_database) then
            raise exception using errcode = '3D000', message = pg_catalog.format('database "%s" does not exist', job_database);
        end if;
        if not pg_catalog.has_database_privilege(job_user, job_database, 'CONNECT') then
            raise exception using
                errcode = 'XX000',
                message = pg_catalog.format('User %s does not have CONNECT privilege on %s', job_user, job_database);
        end if;
    end if;
end
$$;

create function cron._check_login_role(role_name text)
returns void
language plpgsql
stable
as $$
declare
    can_login boolean;
begin
    select r.rolcanlogin into can_login from pg_catalog.pg_roles as r where r.rolname = role_name;
    if can_login is null then
        raise exception using errcode = 'XX000', message = pg_catalog.format('role "%s" does not exist', role_name);
    end if;
    if not can_login then
        raise exception using
            errcode = 'XX000',
            message = pg_catalog.format('role "%s" can not log in', role_name),
            detail = 'Jobs may only be run by roles that have the LOGIN attribute.';
    end if;
end
$$;

create function cron._schedule_job(
    job_name text, schedule text, command text, database text, username text, active boolean
)
returns bigint
language plpgsql
as $$
declare
    job_user text := current_user;
    job_database text := coalesce(
        nullif(pg_catalog.current_setting('cron.database_name', true), ''), pg_catalog.current_database()
    );
    job_port integer := coalesce(pg_catalog.inet_server_port(), pg_catalog.current_setting('port')::integer);
    new_id bigint;
begin
    perform cron._check_schedule(schedule);
    if username is not null then
        if not (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user) then
            raise exception using errcode = 'XX000', message = 'must be superuser to create a job for another role';
        end if;
        perform cron._check_login_role(username);
        job_user := username;
    end if;
    job_database := coalesce(database, job_database);
    perform cron._check_job_target(job_user, job_database);
    if job_name is null then
        insert into cron.job (schedule, command, nodename, nodeport, database, username, active)
        values (schedule, command, 'localhost', job_port, job_database, job_user, active)
        returning jobid into new_id;
    else
        insert into cron.job as j (schedule, command, nodename, nodeport, database, username, active, jobname)
        values (schedule, command, 'localhost', job_port, job_database, job_user, active, job_name)
        on conflict on constraint jobname_username_uniq do update
            set schedule = excluded.schedule, command = excluded.command, database = excluded.database
        returning j.jobid into new_id;
    end if;
    return new_id;
end
$$;

create function cron.schedule(schedule text, command text)
returns bigint
language plpgsql
strict
as $$
begin
    return cron._schedule_job(null, schedule, command, null, null, true);
end
$$;

comment on function cron.schedule(text, text) is 'schedule a pg_cron job';

create function cron.schedule(job_name text, schedule text, command text)
returns bigint
language plpgsql
as $$
begin
    if job_name is null then
        raise exception using errcode = 'XX000', message = 'job_name can not be NULL';
    elsif schedule is null then
        raise exception using errcode = 'XX000', message = 'schedule can not be NULL';
    elsif command is null then
        raise exception using errcode = 'XX000', message = 'command can not be NULL';
    end if;
    return cron._schedule_job(job_name, schedule, command, null, null, true);
end
$$;

comment on function cron.schedule(text, text, text) is 'schedule a pg_cron job';

create function cron.schedule_in_database(
    job_name text, schedule text, command text, database text, username text default null, active boolean default true
)
returns bigint
language plpgsql
as $$
begin
    if job_name is null then
        raise exception using errcode = 'XX000', message = 'job_name can not be NULL';
    elsif schedule is null then
        raise exception using errcode = 'XX000', message = 'schedule can not be NULL';
    elsif command is null then
        raise exception using errcode = 'XX000', message = 'command can not be NULL';
    end if;
    return cron._schedule_job(job_name, schedule, command, database, username, coalesce(active, true));
end
$$;

comment on function cron.schedule_in_database(text, text, text, text, text, boolean) is 'schedule a pg_cron job';

create function cron.unschedule(job_id bigint)
returns boolean
language plpgsql
strict
as $$
begin
    delete from cron.job as j where j.jobid = job_id;
    if not found then
        raise exception using errcode = 'XX000', message = pg_catalog.format('could not find valid entry for job %s', job_id);
    end if;
    return true;
end
$$;

comment on function cron.unschedule(bigint) is 'unschedule a pg_cron job';

create function cron.unschedule(job_name text)
returns boolean
language plpgsql
strict
as $$
begin
    delete from cron.job as j where j.jobname = job_name and j.username = current_user;
    if not found then
        raise exception using
            errcode = 'XX000', message = pg_catalog.format('could not find valid entry for job ''%s''', job_name);
    end if;
    return true;
end
$$;

comment on function cron.unschedule(text) is 'unschedule a pg_cron job';

create function cron.alter_job(
    job_id bigint,
    schedule text default null,
    command text default null,
    database text default null,
    username text default null,
    active boolean default null
)
returns void
language plpgsql
as $$
declare
    is_superuser boolean := (select r.rolsuper from pg_catalog.pg_roles as r where r.rolname = current_user);
    job_user text := current_user;
begin
    if job_id is null then
        raise exception using errcode = 'XX000', message = 'job_id can not be NULL';
    end if;
    if username is not null then
        if not is_superuser then
            raise exception using errcode = 'XX000', message = 'must be superuser to alter username';
        end if;
        perform cron._check_login_role(username);
        job_user := username;
    end if;
    perform cron._check_job_target(job_user, database);
    if schedule is not null then
        perform cron._check_schedule(schedule);
    end if;
    if schedule is null and command is null and database is null and username is null and active is null then
        raise exception using
            errcode = 'XX000',
            message = 'no updates specified',
            hint = 'You must specify at least one job attribute to change when calling alter_job';
    end if;
    update cron.job as j
    set
        schedule = coalesce(alter_job.schedule, j.schedule),
        command = coalesce(alter_job.command, j.command),
        database = coalesce(alter_job.database, j.database),
        username = coalesce(alter_job.username, j.username),
        active = coalesce(alter_job.active, j.active)
    where j.jobid = job_id and (is_superuser or j.username = current_user);
    if not found then
        raise exception using
            errcode = 'XX000', message = pg_catalog.format('Job %s does not exist or you don''t own it', job_id);
    end if;
end
$$;

comment on function cron.alter_job(bigint, text, text, text, text, boolean) is
'Alter the job identified by job_id. Any option left as NULL will not be modified.';

-- As pg_cron: an administrator decides who may use these two.
revoke all on function cron.alter_job(bigint, text, text, text, text, boolean) from public;
revoke all on function cron.schedule_in_database(text, text, text, text, text, boolean) from public;
