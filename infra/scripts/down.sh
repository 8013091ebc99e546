#!/usr/bin/env bash
# Stops what infra/scripts/up.sh started. With --purge, also deletes their data. With kafka or postgres,
# stops that one only and keeps infra/.env (the fault suite takes one down; up.sh brings it back).
set -uo pipefail
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${SWITCHYARD_INFRA_DATA:-$INFRA_DIR/.data}"
ONLY="${1:-}"
case "$ONLY" in kafka|postgres) ;; *) ONLY= ;; esac

if [ "$ONLY" != postgres ] && [ -f "$DATA_DIR/kafka/kafka.pid" ]; then
  pid=$(cat "$DATA_DIR/kafka/kafka.pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null
    echo "[infra] kafka stopped"
  fi
  rm -f "$DATA_DIR/kafka/kafka.pid"
fi
PG_DIR="$DATA_DIR/postgres"
[ -f "$DATA_DIR/postgres-dir" ] && PG_DIR=$(cat "$DATA_DIR/postgres-dir")
if [ "$ONLY" != kafka ] && [ -f "$PG_DIR/postmaster.pid" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ "$(id -u)" = "0" ]; then
    (cd / && runuser -u postgres -- "$bindir/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null)
  else
    "$bindir/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null
  fi
  echo "[infra] postgres stopped"
fi
[ -n "$ONLY" ] && exit 0
rm -f "$INFRA_DIR/.env"
if [ "${1:-}" = "--purge" ]; then rm -rf "$DATA_DIR" "$PG_DIR"; echo "[infra] data removed"; fi
