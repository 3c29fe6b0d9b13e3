#!/usr/bin/env bash
# Writes the secret files compose.yaml reads (once; existing files are kept): a random PostgreSQL password, the
# two connection strings that carry it, and the studio's admin password. The folder is mode 700, so other users
# of this host cannot read them; inside the containers they are files under /run/secrets, never arguments.
# Usage: bash docker/make-secrets.sh [FOLDER]   (default: docker/secrets beside this script)
set -euo pipefail
dir=${1:-"$(cd "$(dirname "$0")" && pwd)/secrets"}
mkdir -p "$dir"
chmod 700 "$dir"

random() { head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32; }

write() {   # write FILE TEXT: through a temp file, readable inside the containers (their users differ from yours)
  [ -s "$dir/$1" ] && { echo "kept $dir/$1"; return; }
  printf '%s\n' "$2" > "$dir/$1.tmp"
  chmod 644 "$dir/$1.tmp"
  mv "$dir/$1.tmp" "$dir/$1"
  echo "wrote $dir/$1"
}

if [ -s "$dir/postgres-password.txt" ]; then
  pg=$(tr -d '\n' < "$dir/postgres-password.txt")
else
  pg=$(random)
fi
write postgres-password.txt "$pg"
write run-store.txt "Host=postgres;Port=5432;Database=cellsegflows_runs;Username=cellsegflows;Password=$pg"
write quartz-store.txt "Host=postgres;Port=5432;Database=cellsegflows_quartz;Username=cellsegflows;Password=$pg"
write admin-password.txt "$(random)"
