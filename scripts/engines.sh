#!/usr/bin/env bash
# Local test engines for Synth: a Ray head (Jobs + Serve REST), an MLflow tracking/registry server and
# moto_server (AWS Lambda control plane, IAM, S3). Each runs from its own pinned venv in .venvs/
# (requirements/{ray,mlflow,aws}.txt, created on first start) and binds 127.0.0.1 only.
#
# Usage: scripts/engines.sh start|stop|status ray|mlflow|moto|all [--state-dir DIR]
#
#   start   idempotent: an engine that already answers is reported and left alone. Prints one line
#           per engine: NAME URL. Fails with one line naming the engine, the cause and its log.
#   stop    stops the engine(s); stopping a stopped engine is fine.
#   status  prints NAME running URL | NAME stopped; exits 3 if any named engine is not running.
#
# State (logs, pid files, MLflow's SQLite store and artefacts, Ray's temp root) lives in
# --state-dir, default .engines/ under the repository root.
#
# Environment:
#   SYNTH_RAY_DASHBOARD_PORT (8265)  dashboard + Jobs REST + Serve REST
#   SYNTH_RAY_GCS_PORT       (6380)  Ray's default 6379 is usually taken by a local Redis
#   SYNTH_RAY_CLIENT_PORT    (10001) Ray client server
#   SYNTH_RAY_AGENT_PORT     (52365) dashboard agent HTTP port
#   SYNTH_MLFLOW_PORT        (5000)
#   SYNTH_MOTO_PORT          (5001)  moto's own default is 5000, which clashes with MLflow
#   SYNTH_ENGINE_TIMEOUT     (120)   seconds to wait for an engine to answer
#   RAY_JOB_START_TIMEOUT_SECONDS (300) PENDING -> FAILED after this (Ray's own default is 900); long
#                            enough for a first job's pip runtime env (the Ray template's scikit-learn,
#                            pandas, pyarrow) to build on a new machine; ./synth test sets 30

set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() {
  echo "usage: scripts/engines.sh start|stop|status ray|mlflow|moto|all [--state-dir DIR]" >&2
  exit 2
}

ACTION="${1:-}"
TARGET="${2:-}"
[ $# -ge 2 ] || usage
shift 2
STATE_DIR="$SYNTH_ROOT/.engines"
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) [ $# -ge 2 ] || usage; STATE_DIR="$2"; shift 2 ;;
    --state-dir=*) STATE_DIR="${1#--state-dir=}"; shift ;;
    -h | --help) usage ;;
    *) echo "engines.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
case "$ACTION" in start | stop | status) ;; *) usage ;; esac
case "$TARGET" in
  all) ENGINES=(ray mlflow moto) ;;
  ray | mlflow | moto) ENGINES=("$TARGET") ;;
  *) usage ;;
esac

mkdir -p "$STATE_DIR" || die "cannot create the state directory $STATE_DIR" "pass a writable --state-dir"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"

RAY_DASHBOARD_PORT="${SYNTH_RAY_DASHBOARD_PORT:-8265}"
RAY_GCS_PORT="${SYNTH_RAY_GCS_PORT:-6380}"
RAY_CLIENT_PORT="${SYNTH_RAY_CLIENT_PORT:-10001}"
RAY_AGENT_PORT="${SYNTH_RAY_AGENT_PORT:-52365}"
MLFLOW_PORT="${SYNTH_MLFLOW_PORT:-5000}"
MOTO_PORT="${SYNTH_MOTO_PORT:-5001}"
TIMEOUT="${SYNTH_ENGINE_TIMEOUT:-120}"

RAY_URL="http://127.0.0.1:$RAY_DASHBOARD_PORT"
MLFLOW_URL="http://127.0.0.1:$MLFLOW_PORT"
MOTO_URL="http://127.0.0.1:$MOTO_PORT"

require_cmd curl "used to probe the engines" "apt-get install -y curl"

# ---------------------------------------------------------------- helpers

venv_for() { case "$1" in ray) echo ray ;; mlflow) echo mlflow ;; moto) echo aws ;; esac; }
url_for() { case "$1" in ray) echo "$RAY_URL" ;; mlflow) echo "$MLFLOW_URL" ;; moto) echo "$MOTO_URL" ;; esac; }
log_for() { case "$1" in ray) echo "$STATE_DIR/ray/start.log" ;; *) echo "$STATE_DIR/$1/$1.log" ;; esac; }

http_ok() { curl -sf -o /dev/null --max-time 2 "$1"; }

# ready ENGINE: does the engine answer its readiness probe?
ready() {
  case "$1" in
    ray) curl -sf --max-time 2 "$RAY_URL/api/version" 2>/dev/null | grep -q '"ray_version"' ;;
    mlflow) [ "$(curl -sf --max-time 2 "$MLFLOW_URL/health" 2>/dev/null)" = "OK" ] ;;
    moto) http_ok "$MOTO_URL/moto-api/" ;;
  esac
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
read_pid() { [ -f "$1" ] && cat "$1" 2>/dev/null || true; }
# managed_pid ENGINE PID: PID is alive and is this engine's server from .venvs/ (not a recycled pid).
managed_pid() {
  pid_alive "$2" && tr '\0' ' ' 2>/dev/null <"/proc/$2/cmdline" | grep -qF "$VENVS_DIR/$(venv_for "$1")/bin/"
}

last_log_line() { # the log's last error line (else its last line), without colour codes, for one-line errors
  [ -f "$1" ] || return 0
  local line
  line="$(grep -E 'Error|ERROR|Exception|error:|Traceback' "$1" 2>/dev/null | grep -v '^[[:space:]]*File ' | tail -n 1)"
  [ -n "$line" ] || line="$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1)"
  printf '%s' "$line" | sed 's/\x1b\[[0-9;]*m//g; s/^[[:space:]]*//' | cut -c1-200
}

# fatal_in_log ENGINE LOG: start-up errors the server would only retry for minutes before giving up.
fatal_in_log() {
  case "$1" in
    mlflow) grep -q 'SQLAlchemy engine could not be created' "$2" 2>/dev/null ;;
    *) return 1 ;;
  esac
}

kill_group() { # kill_group PID: TERM then KILL the process group this script started as PID
  local pid="$1" i
  pid_alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

need_free_port() { # need_free_port ENGINE PORT VAR
  if port_in_use "$2"; then
    die "$1: port $2 on 127.0.0.1 is already taken by another process" \
      "stop it (see 'ss -ltnp sport = :$2') or choose another port with $3=<port>"
  fi
}

# ---------------------------------------------------------------- ray

ray_temp_dir() {
  # Ray keeps Unix sockets under <temp>/session_<date>_<pid>/sockets/; Linux caps socket paths at 107
  # bytes, so the temp root must stay short (<= 36 characters) or Ray fails at start.
  local d="$STATE_DIR/ray/tmp"
  if [ "${#d}" -gt 36 ]; then
    d="/tmp/synth-ray-$(printf '%s' "$STATE_DIR" | cksum | cut -d' ' -f1)"
  fi
  echo "$d"
}

ray_env() {
  export PATH="$VENVS_DIR/ray/bin:$PATH" # job entrypoints' `python` is the venv's interpreter
  export RAY_USAGE_STATS_ENABLED=0
  # Ray replaces 127.0.0.1 by the machine's outbound IP and binds GCS/raylet on all interfaces; in its
  # single-machine mode (the macOS/Windows default, selected by this variable) every socket is 127.0.0.1.
  export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
  export RAY_JOB_START_TIMEOUT_SECONDS="${RAY_JOB_START_TIMEOUT_SECONDS:-300}"
}

start_ray() {
  if ready ray; then
    log "ray is already running at $RAY_URL"
    return 0
  fi
  ensure_venv ray
  local p
  need_free_port ray "$RAY_DASHBOARD_PORT" SYNTH_RAY_DASHBOARD_PORT
  need_free_port ray "$RAY_GCS_PORT" SYNTH_RAY_GCS_PORT
  need_free_port ray "$RAY_CLIENT_PORT" SYNTH_RAY_CLIENT_PORT
  need_free_port ray "$RAY_AGENT_PORT" SYNTH_RAY_AGENT_PORT
  local dir="$STATE_DIR/ray" tmp logf
  tmp="$(ray_temp_dir)"
  logf="$(log_for ray)"
  mkdir -p "$dir" "$tmp"
  echo "$tmp" >"$dir/temp-dir"
  ray_env
  log "starting ray (GCS 127.0.0.1:$RAY_GCS_PORT, dashboard $RAY_URL, logs $tmp/session_latest/logs)"
  if ! ray start --head \
    --node-ip-address=127.0.0.1 --port="$RAY_GCS_PORT" \
    --dashboard-host=127.0.0.1 --dashboard-port="$RAY_DASHBOARD_PORT" --include-dashboard=true \
    --ray-client-server-port="$RAY_CLIENT_PORT" --dashboard-agent-listen-port="$RAY_AGENT_PORT" \
    --num-cpus=2 --num-gpus=0 --object-store-memory=200000000 \
    --disable-usage-stats --temp-dir="$tmp" >"$logf" 2>&1 </dev/null; then
    die "ray: 'ray start --head' failed ($(last_log_line "$logf")); log: $logf and $tmp/session_latest/logs" \
      "read the log, run 'scripts/engines.sh stop ray', then start again"
  fi
  local i
  for ((i = 0; i < TIMEOUT * 2; i++)); do
    ready ray && return 0
    sleep 0.5
  done
  die "ray: the dashboard did not answer $RAY_URL/api/version within ${TIMEOUT}s; logs: $logf and $tmp/session_latest/logs/dashboard.log" \
    "read the logs, run 'scripts/engines.sh stop ray' and start again (raise SYNTH_ENGINE_TIMEOUT on a slow machine)"
}

stop_ray() {
  if [ -x "$VENVS_DIR/ray/bin/ray" ]; then
    ray_env
    mkdir -p "$STATE_DIR/ray"
    # Note: `ray stop` stops every Ray process of this machine, not only this state dir's head.
    ray stop --force >"$STATE_DIR/ray/stop.log" 2>&1 </dev/null || true
  fi
  local i
  for ((i = 0; i < 20; i++)); do
    ready ray || break
    sleep 0.5
  done
  if ready ray; then
    die "ray: a Ray dashboard still answers at $RAY_URL after 'ray stop --force' (not started from .venvs/ray?); log: $STATE_DIR/ray/stop.log" \
      "stop that Ray with its own 'ray stop --force'"
  fi
  log "ray stopped"
}

# ---------------------------------------------------------------- mlflow / moto (pid-file servers)

# launch_server ENGINE PORTVAR PORT -- COMMAND...: start COMMAND in its own session (pid = process group).
launch_server() {
  local name="$1" portvar="$2" port="$3"
  shift 4
  local dir="$STATE_DIR/$name" logf pidf pid
  logf="$(log_for "$name")"
  pidf="$dir/$name.pid"
  mkdir -p "$dir"
  pid="$(read_pid "$pidf")"
  if managed_pid "$name" "$pid" && ready "$name"; then
    log "$name is already running at $(url_for "$name") (pid $pid)"
    return 1
  fi
  if ready "$name"; then
    log "$name is already running at $(url_for "$name") (started outside this state dir; not managed here)"
    return 1
  fi
  if managed_pid "$name" "$pid"; then # ours, but not answering yet (a start in progress): wait for it
    return 0
  fi
  rm -f "$pidf"
  need_free_port "$name" "$port" "$portvar"
  ensure_venv "$(venv_for "$name")"
  log "starting $name on $(url_for "$name") (log $logf)"
  # setsid: the server and its children form one process group whose id is the recorded pid.
  (cd "$dir" && exec setsid "$@" >"$logf" 2>&1 </dev/null) &
  echo $! >"$pidf"
  return 0
}

wait_server() { # wait_server ENGINE
  local name="$1" pidf="$STATE_DIR/$1/$1.pid" logf pid i
  logf="$(log_for "$name")"
  pid="$(read_pid "$pidf")"
  for ((i = 0; i < TIMEOUT * 4; i++)); do
    ready "$name" && return 0
    if ! pid_alive "$pid"; then
      rm -f "$pidf"
      die "$name: the server exited during start-up ($(last_log_line "$logf")); log: $logf" \
        "read the log, fix the cause and run 'scripts/engines.sh start $name' again"
    fi
    if fatal_in_log "$name" "$logf"; then
      kill_group "$pid"
      rm -f "$pidf"
      die "$name: the server cannot open its store ($(last_log_line "$logf")); log: $logf" \
        "check that $STATE_DIR/$name is a writable directory and run 'scripts/engines.sh start $name' again"
    fi
    sleep 0.25
  done
  kill_group "$pid"
  rm -f "$pidf"
  die "$name: $(url_for "$name") did not answer within ${TIMEOUT}s (stopped it again); log: $logf" \
    "read the log and start again (raise SYNTH_ENGINE_TIMEOUT on a slow machine)"
}

stop_server() { # stop_server ENGINE
  local name="$1" pidf="$STATE_DIR/$1/$1.pid" pid
  pid="$(read_pid "$pidf")"
  if managed_pid "$name" "$pid"; then
    kill_group "$pid"
    log "$name stopped (pid $pid)"
  else
    log "$name is not running (no live pid in $pidf)"
  fi
  rm -f "$pidf"
  if ready "$name"; then
    die "$name: something still answers at $(url_for "$name") that this state dir did not start" \
      "stop it (see 'ss -ltnp sport = :$(url_for "$name" | sed 's/.*://')') or use another port"
  fi
}

launch_mlflow() {
  local dir="$STATE_DIR/mlflow"
  mkdir -p "$dir/artifacts"
  # MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false: no huey job-runner processes (GenAI evaluation jobs,
  # ~8 extra processes and ~1.2 GB RSS); tracking and the model registry do not need them.
  launch_server mlflow SYNTH_MLFLOW_PORT "$MLFLOW_PORT" -- \
    env MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
    "$VENVS_DIR/mlflow/bin/mlflow" server \
    --backend-store-uri "sqlite:///$dir/mlflow.db" \
    --default-artifact-root "$dir/artifacts" \
    --host 127.0.0.1 --port "$MLFLOW_PORT" --workers 1
}

launch_moto() {
  launch_server moto SYNTH_MOTO_PORT "$MOTO_PORT" -- \
    "$VENVS_DIR/aws/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
}

configure_moto() {
  curl -sf --max-time 5 -X POST "$MOTO_URL/moto-api/config" \
    -H 'content-type: application/json' -d '{"lambda":{"use_docker":false}}' >/dev/null ||
    die "moto: POST $MOTO_URL/moto-api/config failed; log: $(log_for moto)" "read the log and start moto again"
  # The execution role the portal's mlops.targets.lambda.createFunction.roleArn names
  # (arn:aws:iam::123456789012:role/synth-mlops-lambda, moto's default account): moto's CreateFunction
  # refuses a role that does not exist. Idempotent: an existing role is fine.
  local reply
  reply="$(curl -s --max-time 5 -X POST "$MOTO_URL/" \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' \
    --data-urlencode Action=CreateRole --data-urlencode Version=2010-05-08 \
    --data-urlencode RoleName=synth-mlops-lambda \
    --data-urlencode 'AssumeRolePolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}')"
  case "$reply" in
    *CreateRoleResponse* | *EntityAlreadyExists*) ;;
    *) die "moto: could not create the IAM role synth-mlops-lambda (${reply:0:200}); log: $(log_for moto)" "read the log and start moto again" ;;
  esac
}

# ---------------------------------------------------------------- actions

print_url() { printf '%-7s %s\n' "$1" "$(url_for "$1")"; }

do_start() {
  local e launched_mlflow=0 launched_moto=0
  # Launch the pid-file servers first so they boot while Ray starts; then wait for each.
  for e in "${ENGINES[@]}"; do
    case "$e" in
      mlflow) launch_mlflow && launched_mlflow=1 ;;
      moto) launch_moto && launched_moto=1 ;;
    esac
  done
  for e in "${ENGINES[@]}"; do
    case "$e" in
      ray) start_ray ;;
      mlflow) [ "$launched_mlflow" = 0 ] || wait_server mlflow ;;
      moto) [ "$launched_moto" = 0 ] || wait_server moto ;;
    esac
    [ "$e" = moto ] && configure_moto
    print_url "$e"
  done
}

do_stop() {
  local e i
  for ((i = ${#ENGINES[@]} - 1; i >= 0; i--)); do
    e="${ENGINES[$i]}"
    case "$e" in
      ray) stop_ray ;;
      *) stop_server "$e" ;;
    esac
  done
}

do_status() {
  local e rc=0
  for e in "${ENGINES[@]}"; do
    if ready "$e"; then
      printf '%-7s running %s\n' "$e" "$(url_for "$e")"
    else
      printf '%-7s stopped\n' "$e"
      rc=3
    fi
  done
  return "$rc"
}

case "$ACTION" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
esac
