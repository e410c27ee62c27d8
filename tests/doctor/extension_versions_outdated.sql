-- extension_versions_outdated: an extension installed at a version older than the one the server
-- ships as default.
-- expect: extension_name=hstore installed_version=1.4
create extension hstore with schema extensions version '1.4';

-- fixed: update it to the default version.
alter extension hstore update;
