-- extension_in_public: an extension installed into the public schema, so its objects are exposed
-- through the API.
-- expect: public.hstore
create extension hstore with schema public;

-- fixed: move it to the extensions schema.
alter extension hstore set schema extensions;
