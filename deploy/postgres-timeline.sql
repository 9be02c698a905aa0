-- After `mohlat init` (and after each upgrade), as the owner or a superuser:
--   psql -v app=mohlat_app -d mohlat -f deploy/postgres-timeline.sql
-- The server appends events; nothing it runs updates or deletes one. Taking those
-- rights away means a stolen app password cannot rewrite a timeline either (and
-- `mohlat verify` would still catch a rewrite made by the owner).
\set ON_ERROR_STOP on
REVOKE UPDATE, DELETE, TRUNCATE ON events, account_events FROM :"app";
