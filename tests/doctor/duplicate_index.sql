-- duplicate_index: two indexes with the same definition on one table.
-- expect: public.t
create table public.t (id int primary key, y text);
create index t_y_lower on public.t (lower(y));
create index t_y_lower_again on public.t (lower(y));

-- fixed: drop one of the two.
drop index public.t_y_lower_again;
