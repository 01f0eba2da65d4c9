#!/usr/bin/env bash
# Start, check or stop the whole multi-process interview-coach stack on this machine:
# a private PostgreSQL cluster, redis-server, STACK_WORKERS perception workers, two `serve`
# processes and haproxy in front of them with sticky sessions.
#
#   scripts/stack.sh start | status | stop | restart-db | purge
#
# start prints the load balancer's URL once every process is healthy; stop stops everything
# (exit 0 even when parts already died); restart-db restarts PostgreSQL in place; purge stops
# and deletes the state folder.
#
# Settings (environment):
#   STACK_DIR      state folder: pids, ports, logs, data, haproxy.cfg (default ./.stack)
#   STACK_WORKERS  perception worker processes (default 2)
#   STACK_SERVES   serve processes (default 2)
#   STACK_PORT     load balancer port (default: a free port, kept across restarts)
#   STACK_TIMEOUT  seconds to wait for everything to be healthy (default 900)
#   STACK_PYTHON   the Python with interview-coach installed (default .venv/bin/python)
#   INTERVIEW_COACH_*  passed through to every serve and worker (users file, API tokens, limits,
#                  INTERVIEW_COACH_MEMORY_ENGINE...); the stack sets the data folders, the
#                  Postgres DSNs, the broker URL, the perception mode and a shared auth secret.
#
# For one machine: PostgreSQL trusts local connections on 127.0.0.1, Redis has no password.
#
# Layout of STACK_DIR: pg/ (cluster; under /tmp when root and STACK_DIR is private), redis/,
# shared/{media,uploads,elements,models} (files every serve and worker must see),
# serve-N/data (one data folder per serve: each holds its own lock, Chainlit folder and
# embedded fallbacks; media, uploads, chat elements and models are symlinks into shared/),
# worker-data/, logs/, pids/, haproxy.cfg, stack.env (ports, pids, URLs; sourceable).
set -euo pipefail
umask 077 # everything the stack writes is user data (serve makes its own files private too)

REPO=$(cd "$(dirname "$0")/.." && pwd)
STACK_DIR=$(realpath -m "${STACK_DIR:-./.stack}")
WORKERS=${STACK_WORKERS:-2}
SERVES=${STACK_SERVES:-2}
TIMEOUT=${STACK_TIMEOUT:-900}
PY=${STACK_PYTHON:-$REPO/.venv/bin/python}
PIDS=$STACK_DIR/pids
LOGS=$STACK_DIR/logs
SHARED=$STACK_DIR/shared
ENV_FILE=$STACK_DIR/stack.env

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

# --- helpers ---------------------------------------------------------------------------------

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

alive() { # a running process (a zombie left for a parent that never reaps it counts as dead)
  local stat
  stat=$(ps -o stat= -p "${1:-0}" 2>/dev/null) || return 1
  [[ $stat != Z* ]]
}

pid_of() { cat "$PIDS/$1.pid" 2>/dev/null || true; }

state() { # state KEY -> value from stack.env (empty if missing)
  [ -f "$ENV_FILE" ] && sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1 || true
}

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null && { dirname "$(command -v initdb)"; return; }
  die "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
}

as_pg() { # PostgreSQL refuses to run as root: run its tools as the postgres OS user then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_root() { # the cluster folder: STACK_DIR/pg, or a /tmp folder when root and STACK_DIR is private
  if [ -f "$STACK_DIR/pg.path" ]; then cat "$STACK_DIR/pg.path"; return; fi
  local root=$STACK_DIR/pg
  mkdir -p "$root"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$root"
    if ! runuser -u postgres -- test -w "$root"; then
      rmdir "$root"
      root=$(mktemp -d /tmp/ic-stack-pg.XXXXXX)
      chown postgres: "$root"
    fi
  fi
  echo "$root" >"$STACK_DIR/pg.path"
  echo "$root"
}

wait_for() { # wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds
  local what=$1 limit=$2 start=$SECONDS
  shift 2
  until "$@"; do
    (( SECONDS - start < limit )) || die "$what not ready after ${limit}s (logs in $LOGS)"
    sleep 0.5
  done
}

launch() { # launch NAME LOG COMMAND...: start in its own session (process group), record the pid
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

stop_pid() { # stop_pid NAME: SIGTERM the process group, SIGKILL after 30 s; never fails
  local name=$1 pid
  pid=$(pid_of "$name")
  rm -f "$PIDS/$name.pid"
  alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do alive "$pid" || return 0; sleep 0.5; done
  log "$name (pid $pid) ignored SIGTERM for 30 s: SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

memory_engine() { # pass the caller's choice through; else the shared Postgres engine when installed
  if [ -n "${INTERVIEW_COACH_MEMORY_ENGINE:-}" ]; then echo "$INTERVIEW_COACH_MEMORY_ENGINE"; return; fi
  if "$PY" -c 'from interview_coach.core.settings import Settings; Settings(memory_engine="postgres", _env_file=None)' \
    >/dev/null 2>&1; then
    echo postgres
  fi
}

# --- start -----------------------------------------------------------------------------------

start_postgres() {
  local bin root port
  bin=$(pg_bin)
  root=$(pg_root)
  port=$(state PG_PORT)
  port=${port:-$(free_port)}
  if [ ! -f "$root/data/PG_VERSION" ]; then
    as_pg mkdir -p "$root/sock"
    as_pg "$bin/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$LOGS/initdb.log" 2>&1 ||
      die "initdb failed: $(tail -n 5 "$LOGS/initdb.log")"
  fi
  as_pg "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
    -o "-p $port -k $root/sock -c listen_addresses=127.0.0.1" start >/dev/null ||
    die "PostgreSQL did not start: $(as_pg tail -n 5 "$root/server.log")"
  head -n 1 "$root/data/postmaster.pid" >"$PIDS/postgres.pid"
  if ! as_pg "$bin/psql" -h "$root/sock" -p "$port" -U postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = 'interview_coach'" | grep -q 1; then
    as_pg "$bin/createdb" -h "$root/sock" -p "$port" -U postgres interview_coach
  fi
  echo "$port"
}

start_redis() {
  local port
  port=$(state REDIS_PORT)
  port=${port:-$(free_port)}
  mkdir -p "$STACK_DIR/redis"
  command -v redis-server >/dev/null || die "redis-server not found: apt-get install redis-server"
  # appendonly: jobs and their records survive a broker restart.
  launch redis "$LOGS/redis.log" redis-server --port "$port" --bind 127.0.0.1 --dir "$STACK_DIR/redis" \
    --save "" --appendonly yes
  echo "$port"
}

data_folder() { # data_folder PATH: a process's own data folder whose shared parts are symlinks
  local dir=$1 part
  mkdir -p "$dir" "$dir/chainlit"
  for part in media uploads models; do
    [ -L "$dir/$part" ] || ln -s "$SHARED/$part" "$dir/$part"
  done
  [ -L "$dir/chainlit/elements" ] || ln -s "$SHARED/elements" "$dir/chainlit/elements"
}

write_haproxy_cfg() {
  local lb_port=$1 i
  {
    cat <<EOF
# Generated by scripts/stack.sh; regenerated on every start.
global
    maxconn 4096
    stats socket $STACK_DIR/haproxy.sock mode 600 level admin
    pidfile $PIDS/haproxy.pid

defaults
    mode http
    option redispatch
    retries 3
    timeout connect 3s
    timeout client 1h
    timeout server 15m
    timeout tunnel 1h
    timeout http-request 5m

frontend lb
    bind 127.0.0.1:$lb_port
    # Which serve answered: for operators and for the end-to-end test's fail-over checks.
    http-response set-header X-Served-By %[srv_name]
    use_backend api if { path_beg /api/ }
    default_backend room

# REST API: one session's requests go to one serve (its turn lock lives there), keyed by the
# session id in the path; other calls are spread by bearer token. A dead serve's sessions move.
backend api
    balance hdr(authorization)
    hash-type consistent
    stick-table type string len 128 size 200k expire 12h
    stick on path,field(4,/) if { path_reg ^/api/sessions/[^/]+ }
    option httpchk GET /healthz
    http-check expect status 200
EOF
    for i in $(seq 1 "$SERVES"); do
      echo "    server serve$i 127.0.0.1:$(state "SERVE${i}_PORT") check inter 1s fall 2 rise 2"
    done
    cat <<EOF

# Browser room: a cookie pins a browser to one serve (Chainlit's socket.io session is in-process).
backend room
    balance roundrobin
    cookie IC_SERVE insert indirect nocache httponly
    option httpchk GET /healthz
    http-check expect status 200
EOF
    for i in $(seq 1 "$SERVES"); do
      echo "    server serve$i 127.0.0.1:$(state "SERVE${i}_PORT") check inter 1s fall 2 rise 2 cookie s$i"
    done
  } >"$STACK_DIR/haproxy.cfg"
}

redis_ready() { redis-cli -p "$1" ping >/dev/null 2>&1; }
serve_live() {
  alive "$(pid_of "$1")" || die "$1 exited: $(tail -n 20 "$LOGS/$1.log")"
  curl -fs -o /dev/null "http://127.0.0.1:$(state "${1^^}_PORT")/healthz" >/dev/null
}
serve_ready() { curl -fs -o /dev/null "http://127.0.0.1:$1/readyz" >/dev/null; }
worker_ready() {
  alive "$(pid_of "$1")" || die "$1 exited: $(tail -n 20 "$LOGS/$1.log")"
  grep -qs "perception worker ready" "$LOGS/$1.log"
}
lb_ready() {
  curl -fs -o /dev/null "$1/healthz" >/dev/null &&
    [ "$("$PY" -c "$STAT_UP" "$STACK_DIR/haproxy.sock" 2>/dev/null || echo 0)" -eq "$((SERVES * 2))" ]
}
# Counts servers haproxy reports UP (both backends) through its stats socket.
STAT_UP='
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536): data += chunk
rows = [r.split(",") for r in data.decode().splitlines() if r and not r.startswith("#")]
print(sum(1 for r in rows if r[1] not in ("FRONTEND", "BACKEND") and r[17].startswith("UP")))
'

check_running() { # refuse a second start over a live stack
  local f
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    alive "$(cat "$f")" && die "the stack in $STACK_DIR is running ($(basename "$f" .pid)); run: $0 stop"
  done
  return 0
}

cmd_start() {
  [ -x "$PY" ] || die "$PY not found: run scripts/setup.sh (or set STACK_PYTHON)"
  command -v haproxy >/dev/null || die "haproxy not found: apt-get install haproxy"
  mkdir -p "$PIDS" "$LOGS" "$SHARED"/{media,uploads,elements,models}
  check_running
  # A start that fails half-way stops what it started: no orphans.
  trap 'log "start failed: stopping what was started"; cmd_stop' EXIT

  local pg_port redis_port lb_port i port engine secret
  pg_port=$(start_postgres)
  local dsn="postgresql://postgres@127.0.0.1:$pg_port/interview_coach"
  redis_port=$(start_redis)
  wait_for "redis" 30 redis_ready "$redis_port"
  lb_port=${STACK_PORT:-$(state LB_PORT)}
  lb_port=${lb_port:-$(free_port)}
  secret=$(cat "$STACK_DIR/auth_secret" 2>/dev/null || true)
  if [ -z "$secret" ]; then
    secret=${INTERVIEW_COACH_AUTH_SECRET:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')}
    (umask 077 && echo "$secret" >"$STACK_DIR/auth_secret")
  fi
  engine=$(memory_engine)

  local old_ports=()
  for i in $(seq 1 "$SERVES"); do old_ports+=("$(state "SERVE${i}_PORT")"); done
  {
    echo "STACK_DIR=$STACK_DIR"
    echo "LB_URL=http://127.0.0.1:$lb_port"
    echo "LB_PORT=$lb_port"
    echo "PG_PORT=$pg_port"
    echo "REDIS_PORT=$redis_port"
    echo "CHECKPOINTER_DSN=$dsn"
    echo "CHAT_DB_URL=postgresql+asyncpg://postgres@127.0.0.1:$pg_port/interview_coach"
    echo "BROKER_URL=redis://127.0.0.1:$redis_port/0"
    echo "MEMORY_ENGINE=${engine:-default}"
    echo "WORKERS=$WORKERS"
    echo "SERVES=$SERVES"
    for i in $(seq 1 "$SERVES"); do
      port=${old_ports[$((i - 1))]}
      echo "SERVE${i}_PORT=${port:-$(free_port)}"
    done
  } >"$ENV_FILE"

  export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
  export INTERVIEW_COACH_CHECKPOINTER_DSN=$dsn
  export INTERVIEW_COACH_CHAT_DB_URL
  INTERVIEW_COACH_CHAT_DB_URL=$(state CHAT_DB_URL)
  export INTERVIEW_COACH_PERCEPTION=workers
  export INTERVIEW_COACH_PERCEPTION_BROKER_URL
  INTERVIEW_COACH_PERCEPTION_BROKER_URL=$(state BROKER_URL)
  export INTERVIEW_COACH_AUTH_SECRET=$secret
  if [ -n "$engine" ]; then
    export INTERVIEW_COACH_MEMORY_ENGINE=$engine
  else
    log "memory: this install has no shared (postgres) memory engine; each serve keeps its own embedded memory"
  fi

  data_folder "$STACK_DIR/worker-data"
  for i in $(seq 1 "$WORKERS"); do
    INTERVIEW_COACH_DATA_DIR=$STACK_DIR/worker-data launch "worker$i" "$LOGS/worker$i.log" \
      "$PY" -m interview_coach worker
    echo "WORKER${i}_PID=$(pid_of "worker$i")" >>"$ENV_FILE"
  done
  for i in $(seq 1 "$SERVES"); do
    data_folder "$STACK_DIR/serve-$i/data"
    INTERVIEW_COACH_DATA_DIR=$STACK_DIR/serve-$i/data launch "serve$i" "$LOGS/serve$i.log" \
      "$PY" -m interview_coach serve --host 127.0.0.1 --port "$(state "SERVE${i}_PORT")"
    echo "SERVE${i}_PID=$(pid_of "serve$i")" >>"$ENV_FILE"
  done
  # All at once: each serve creates the tables it finds missing under a Postgres advisory lock.
  for i in $(seq 1 "$SERVES"); do
    wait_for "serve$i" "$TIMEOUT" serve_live "serve$i"
  done
  write_haproxy_cfg "$lb_port"
  haproxy -c -q -f "$STACK_DIR/haproxy.cfg" || die "haproxy rejected $STACK_DIR/haproxy.cfg"
  haproxy -D -f "$STACK_DIR/haproxy.cfg" || die "haproxy did not start"

  log "waiting for $WORKERS worker(s) and $SERVES serve process(es) to load their models..."
  for i in $(seq 1 "$WORKERS"); do
    wait_for "worker$i" "$TIMEOUT" worker_ready "worker$i"
  done
  for i in $(seq 1 "$SERVES"); do
    alive "$(pid_of "serve$i")" || die "serve$i exited: $(tail -n 20 "$LOGS/serve$i.log")"
    wait_for "serve$i" "$TIMEOUT" serve_ready "$(state "SERVE${i}_PORT")"
  done
  echo "HAPROXY_PID=$(pid_of haproxy)" >>"$ENV_FILE"
  wait_for "haproxy" 60 lb_ready "$(state LB_URL)"
  trap - EXIT
  log "ready: $SERVES serve, $WORKERS worker(s), Postgres :$pg_port, Redis :$redis_port (state in $STACK_DIR)"
  state LB_URL
}

# --- status / stop ---------------------------------------------------------------------------

cmd_status() {
  [ -f "$ENV_FILE" ] || { echo "no stack in $STACK_DIR"; return 3; }
  local down=0 name pid f health
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    pid=$(cat "$f")
    if alive "$pid"; then
      health=up
      case $name in
        serve*) serve_ready "$(state "SERVE${name#serve}_PORT")" || health="up, not ready" ;;
      esac
    else
      health=down
      down=1
    fi
    printf '%-10s pid %-8s %s\n' "$name" "$pid" "$health"
  done
  echo "load balancer: $(state LB_URL)"
  return $((down * 3))
}

cmd_stop() {
  [ -d "$PIDS" ] || { log "nothing to stop in $STACK_DIR"; return 0; }
  local name f root
  # Front to back: no new requests, then the serves, the workers (a running job finishes), the stores.
  stop_pid haproxy
  for f in "$PIDS"/serve*.pid "$PIDS"/worker*.pid; do
    [ -e "$f" ] || continue
    stop_pid "$(basename "$f" .pid)"
  done
  stop_pid redis
  if [ -f "$STACK_DIR/pg.path" ]; then
    root=$(cat "$STACK_DIR/pg.path")
    if [ -f "$root/data/postmaster.pid" ]; then
      as_pg "$(pg_bin)/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null 2>&1 || stop_pid postgres
    fi
  fi
  rm -f "$PIDS"/postgres.pid "$STACK_DIR/haproxy.sock"
  for f in "$PIDS"/*.pid; do # anything else this stack started
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    stop_pid "$name"
  done
  log "stopped"
  return 0
}

cmd_restart_db() { # restart PostgreSQL in place (fast shutdown: open connections are cut)
  local root
  root=$(cat "$STACK_DIR/pg.path" 2>/dev/null) || die "no PostgreSQL cluster in $STACK_DIR"
  as_pg "$(pg_bin)/pg_ctl" -D "$root/data" -m fast -w -t 60 restart >/dev/null ||
    die "PostgreSQL did not restart: $(as_pg tail -n 5 "$root/server.log")"
  head -n 1 "$root/data/postmaster.pid" >"$PIDS/postgres.pid"
  log "PostgreSQL restarted (pid $(pid_of postgres))"
}

cmd_purge() { # stop, then delete every file of the stack (data included)
  cmd_stop
  if [ -f "$STACK_DIR/pg.path" ]; then rm -rf "$(cat "$STACK_DIR/pg.path")"; fi
  rm -rf "$STACK_DIR"
}

case ${1:-} in
  start) cmd_start ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  restart-db) cmd_restart_db ;;
  purge) cmd_purge ;;
  *) echo "usage: $0 start|status|stop|restart-db|purge" >&2; exit 2 ;;
esac
