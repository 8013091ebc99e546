#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft) and a throwaway PostgreSQL cluster on loopback,
# each in a folder of its own under infra/.data, and writes their addresses to infra/.env.
# Idempotent: services that already answer are reused.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${SWITCHYARD_INFRA_DATA:-$INFRA_DIR/.data}"
CACHE_DIR="$INFRA_DIR/.cache"
KAFKA_PORT="${SWITCHYARD_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${SWITCHYARD_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_MAX_MESSAGE_BYTES=16777216
# Both default ports lie below the kernel's ephemeral range (32768 up): while a server is down, a client
# retrying a port in that range can be given that same port as its own and connect to itself, which
# holds the port so the server cannot listen on it again (a CI run's fault suite could not restart Postgres).
PG_PORT="${SWITCHYARD_PG_PORT:-15432}"
PG_USER=switchyard
PG_DB=switchyard
mkdir -p "$DATA_DIR" "$CACHE_DIR"

log() { echo "[infra] $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port=$1 what=$2 tries=${3:-120}
  for _ in $(seq "$tries"); do
    if port_open "$port"; then return 0; fi
    sleep 0.5
  done
  log "$what did not open port $port in time"
  return 1
}

start_kafka() {
  local libs="$CACHE_DIR/kafka-libs"
  if [ ! -f "$libs/.complete" ]; then
    log "fetching Apache Kafka jars from Maven Central (once)"
    rm -rf "$libs"
    mvn -q -B -Dstyle.color=never -f "$INFRA_DIR/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime
    touch "$libs/.complete"
  fi
  if port_open "$KAFKA_PORT"; then
    log "kafka already listening on 127.0.0.1:$KAFKA_PORT"
    return
  fi
  local dir="$DATA_DIR/kafka"
  mkdir -p "$dir"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/logs
num.partitions=6
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=67108864
# One network thread and two request handlers (defaults 3 and 8): on a machine of a few cores shared
# with the services, fewer threads hand each request on with fewer wake-ups.
num.network.threads=1
num.io.threads=2
# Requests up to limits.max_request_bytes (4 MiB by default) travel as events with room to spare
# (Kafka's default is 1 MiB); the services are told the same figure through infra/.env.
message.max.bytes=$KAFKA_MAX_MESSAGE_BYTES
PROPS
  # C1 only by default: the broker starts in seconds and compiles little while tests run beside it.
  # SWITCHYARD_KAFKA_JIT=full keeps the JVM's usual tiered compilation, as a long-running broker has it
  # (the bench: after 30 s of load, 15% less broker CPU per request).
  local jit=(-XX:TieredStopAtLevel=1)
  if [ "${SWITCHYARD_KAFKA_JIT:-c1}" = full ]; then jit=(); fi
  local java_opts=(-Xms128m -Xmx384m -XX:+UseSerialGC "${jit[@]}"
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Djava.awt.headless=true)
  if [ ! -f "$dir/logs/meta.properties" ]; then
    local cluster_id
    cluster_id=$(node -e "process.stdout.write(require('crypto').randomBytes(16).toString('base64url'))")
    java "${java_opts[@]}" -cp "$libs/*" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; return 1; }
  fi
  log "starting kafka (KRaft) on 127.0.0.1:$KAFKA_PORT"
  nohup java "${java_opts[@]}" -cp "$libs/*" kafka.Kafka "$dir/server.properties" \
    >"$dir/kafka.log" 2>&1 &
  echo $! >"$dir/kafka.pid"
  wait_for_port "$KAFKA_PORT" kafka 240 || { tail -50 "$dir/kafka.log" >&2; return 1; }
}

pg_bin() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bindir" ] || { log "PostgreSQL is not installed (apt-get install postgresql)"; return 1; }
  echo "$bindir"
}

# PostgreSQL refuses to run as root, so as root the cluster runs as the postgres user (from /, which
# it can always enter).
as_pg_owner() {
  if [ "$(id -u)" = "0" ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The cluster's folder: infra/.data/postgres, unless the postgres user cannot reach it (a clone under a
# private folder such as mktemp's); then a folder of its own in /tmp, named after this clone. The
# choice is recorded for down.sh.
pg_data_dir() {
  local dir="$DATA_DIR/postgres"
  if [ "$(id -u)" = "0" ] && ! (cd / && runuser -u postgres -- test -x "$DATA_DIR"); then
    dir="/tmp/switchyard-postgres-$(printf '%s' "$INFRA_DIR" | md5sum | cut -c1-12)"
  fi
  echo "$dir"
}

start_postgres() {
  local bindir dir
  bindir=$(pg_bin)
  dir=$(pg_data_dir)
  echo "$dir" >"$DATA_DIR/postgres-dir"
  if port_open "$PG_PORT"; then
    log "postgres already listening on 127.0.0.1:$PG_PORT"
    return
  fi
  mkdir -p "$dir"
  if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; chmod 700 "$dir"; fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg_owner "$bindir/initdb" -D "$dir" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >"$DATA_DIR/initdb.log" 2>&1 \
      || { cat "$DATA_DIR/initdb.log" >&2; return 1; }
  fi
  log "starting postgres on 127.0.0.1:$PG_PORT"
  as_pg_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $PG_PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
  if ! "$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$PG_DB'" | grep -q 1; then
    "$bindir/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
  fi
}

start_kafka &
kafka_job=$!
start_postgres
wait "$kafka_job"

# A development secret for api_key_id, made once and kept with the data, so that ids stay the same
# while the rows do. Production sets GATEWAY_KEY_ID_SECRET itself; ingress refuses to start without it.
KEY_ID_SECRET_FILE="$DATA_DIR/key-id-secret"
if [ ! -s "$KEY_ID_SECRET_FILE" ]; then
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$KEY_ID_SECRET_FILE")
fi

cat >"$INFRA_DIR/.env" <<ENV
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
KAFKA_MAX_MESSAGE_BYTES=$KAFKA_MAX_MESSAGE_BYTES
DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB
GATEWAY_KEY_ID_SECRET=$(cat "$KEY_ID_SECRET_FILE")
ENV
log "ready; wrote $INFRA_DIR/.env"
cat "$INFRA_DIR/.env"
