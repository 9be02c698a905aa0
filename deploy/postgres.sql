-- mohlat on PostgreSQL: two roles and a database. Run as a superuser, once:
--   psql -v owner=mohlat_owner -v app=mohlat_app -v db=mohlat \
--        -v owner_password="$(cat owner.pw)" -v app_password="$(cat app.pw)" \
--        -f deploy/postgres.sql
-- The owner holds the schema (it runs `mohlat init` and every upgrade); the server and
-- the scheduler connect as the app role, which may read and write rows but not change
-- the schema. After `mohlat init`, run deploy/postgres-timeline.sql: the app role may
-- then only append to the timeline, never rewrite it.
\set ON_ERROR_STOP on
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';
CREATE DATABASE :"db" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
-- every table and sequence the owner's migrations create, now and later
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app";
