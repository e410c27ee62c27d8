-- unindexed_foreign_keys: a foreign key without an index leading with its column, so deleting a
-- parent row scans the child table.
-- expect: public.child fkey_name=child_parent_id_fkey
create table public.parent (id int primary key);
create table public.child (id int primary key, parent_id int references public.parent (id));

-- fixed: index the foreign key.
create index child_parent_id_idx on public.child (parent_id);
