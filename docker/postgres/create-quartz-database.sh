#!/usr/bin/env bash
# Run once by the postgres image on an empty data volume: the clustered Quartz job store gets its own database
# beside the run store's (POSTGRES_DB), owned by the same user. The engine creates the tables in both.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "CREATE DATABASE cellsegflows_quartz OWNER \"$POSTGRES_USER\";"
