#!/bin/sh
# Restores a backup of Attest's PostgreSQL database (pg_dump --format=custom or directory) into a
# new, EMPTY database. docs/operations.md, "Back up and restore", is the procedure this is part of;
# src/platform/db/restore.test.ts runs it exactly as written there.
#
#   DATABASE_URL=postgres://attest@db.internal/attest_restored scripts/restore.sh attest.dump
#
# DATABASE_URL names the empty database, as the login role Attest will run as (its owner). The whole
# schema comes from the backup (tables, then data, then keys, triggers, row-level security and
# grants), in one transaction: a failed restore leaves the database empty, never half restored.
# Restoring into a database prepared by `attest migrate` does not work (its tables, ledger rows and
# foreign keys are already there); nor does a data-only restore, whose foreign keys and triggers
# would need a superuser to be switched off.
set -eu

fail() {
  printf 'restore: %s\n' "$1" >&2
  exit 1
}

[ $# -eq 1 ] || fail "usage: DATABASE_URL=postgres://… $0 ARCHIVE"
archive=$1
[ -n "${DATABASE_URL:-}" ] || fail "set DATABASE_URL to the new, empty database to restore into"
[ -r "$archive" ] || fail "cannot read $archive"
command -v pg_restore >/dev/null 2>&1 || fail "pg_restore is missing (PostgreSQL client tools, 15 or newer)"
command -v psql >/dev/null 2>&1 || fail "psql is missing (PostgreSQL client tools, 15 or newer)"

# The archive's table of contents first: a file that is no pg_dump archive is refused before the
# database is touched.
pg_restore --list "$archive" >/dev/null 2>&1 || fail "$archive is not a pg_dump archive (custom or directory format)"

relations=$(psql "$DATABASE_URL" -X -A -t -q -v ON_ERROR_STOP=1 -c "
  SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'") ||
  fail "cannot query the database in DATABASE_URL"
[ "$relations" = 0 ] ||
  fail "the database is not empty ($relations tables, indexes or sequences): restore into a new, empty database (createdb), never over one in use"

# attest_app and attest_platform are cluster objects, not in a dump: on a new cluster they are
# made here (as the first migration makes them; CREATEROLE once), and the login role gets to
# switch into them.
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || fail "cannot create or grant the roles attest_app and attest_platform (the login role needs CREATEROLE once, or create them beforehand)"
SET client_min_messages = warning;
DO $$ BEGIN CREATE ROLE attest_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE attest_platform NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT attest_app, attest_platform TO %I', current_user);
  END IF;
END $$;
SQL

# --no-owner: every object belongs to the login role that restores, whatever role owned it
# before. Grants to attest_app and attest_platform, policies and FORCE ROW LEVEL SECURITY are
# restored as they were.
pg_restore --no-owner --exit-on-error --single-transaction --dbname "$DATABASE_URL" "$archive" ||
  fail "pg_restore failed; nothing was restored (one transaction)"

echo "Restored $archive. Start Attest on this database: it applies any migration newer than the backup."
