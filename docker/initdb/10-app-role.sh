#!/bin/sh
# Runs once, when the postgres image initialises an empty volume, as POSTGRES_USER (the owner role).
# Creates the role the service logs in as: no superuser, owns nothing; the migrations grant it what it may do.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE compliance_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
SQL
