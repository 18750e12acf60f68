#!/usr/bin/env bash
# Shared set-up for ./synth: toolchain, dependencies and local services.
# Everything installs from the npm registry, PyPI or Debian's apt; nothing is vendored.
# Each step is idempotent, so re-running after an interrupted install recovers by itself.

SYNTH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Exported: app-config.yaml points the local training executor at ${SYNTH_ROOT}/.venvs/ray.
export SYNTH_ROOT
TOOLS_DIR="$SYNTH_ROOT/tools"
VENVS_DIR="$SYNTH_ROOT/.venvs"
MIN_NODE_MAJOR=22

log() { printf '\033[1msynth:\033[0m %s\n' "$*" >&2; }
# die CAUSE FIX: one line naming the cause and the fix, then exit 1.
die() { printf 'synth: error: %s. Fix: %s\n' "$1" "$2" >&2; exit 1; }

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

require_cmd() { # require_cmd CMD WHY FIX
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed ($2)" "$3"
}

check_build_prereqs() {
  require_cmd python3 "needed to compile better-sqlite3" "apt-get install -y python3"
  require_cmd make "needed to compile better-sqlite3" "apt-get install -y make"
  require_cmd g++ "needed to compile better-sqlite3" "apt-get install -y g++"
  require_cmd npm "needed to fetch Node.js 22 and Yarn from the npm registry" "install Node.js with npm (any version >= 18)"
  local free_kb need_kb="${SYNTH_MIN_FREE_KB:-$((4 * 1024 * 1024))}"
  free_kb=$(df -Pk "$SYNTH_ROOT" | awk 'NR==2 {print $4}')
  if [ -n "$free_kb" ] && [ "$free_kb" -lt "$need_kb" ]; then
    die "only $((free_kb / 1024)) MiB free on the disk holding $SYNTH_ROOT; the install needs about $((need_kb / 1024 / 1024)) GiB" \
      "free disk space (for example 'yarn cache clean' or remove old node_modules) and run the command again"
  fi
}

port_in_use() { # port_in_use PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null && return 0
  return 1
}

check_ports_free() { # check_ports_free PORT...
  local p
  for p in "$@"; do
    if port_in_use "$p"; then
      die "port $p is already in use (the portal needs 3000 for the frontend and 7007 for the backend)" \
        "stop the process listening on it (see 'ss -ltnp sport = :$p') and run the command again"
    fi
  done
}

# A Node.js >= 22 and Yarn 4, both from the npm registry (tools/package.json, locked by tools/package-lock.json).
ensure_toolchain() {
  local tools_ok=0
  if [ -x "$TOOLS_DIR/node_modules/.bin/yarn" ]; then
    tools_ok=1
    if [ "$(node_major)" -lt "$MIN_NODE_MAJOR" ]; then
      local bundled
      bundled=$(ls -d "$TOOLS_DIR"/node_modules/node-linux-*/bin/node 2>/dev/null | head -n1)
      [ -n "$bundled" ] && [ "$(node_major "$bundled")" -ge "$MIN_NODE_MAJOR" ] || tools_ok=0
    fi
  fi
  if [ "$tools_ok" = 0 ]; then
    require_cmd npm "needed to fetch Node.js 22 and Yarn from the npm registry" "install Node.js with npm (any version >= 18)"
    log "installing the toolchain (Node.js 22 and Yarn) from the npm registry into tools/"
    rm -rf "$TOOLS_DIR/node_modules"
    (cd "$TOOLS_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
      die "could not install the toolchain from the npm registry" "check that the npm registry is reachable ('npm ping') and run the command again"
  fi
  local node_home=""
  if [ "$(node_major)" -lt "$MIN_NODE_MAJOR" ]; then
    node_home=$(ls -d "$TOOLS_DIR"/node_modules/node-linux-* 2>/dev/null | head -n1)
    [ -n "$node_home" ] || die "no Node.js $MIN_NODE_MAJOR build for $(uname -m) in tools/" "install Node.js 22 or 24 and run the command again"
    export PATH="$node_home/bin:$PATH"
  else
    node_home="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
  fi
  export PATH="$TOOLS_DIR/node_modules/.bin:$SYNTH_ROOT/node_modules/.bin:$PATH"
  # node-gyp builds native modules (better-sqlite3) against these headers instead of downloading them.
  if [ -d "$node_home/include/node" ]; then
    export npm_config_nodedir="$node_home"
  fi
  # Never let corepack try to download a package manager from its own host.
  export COREPACK_ENABLE_STRICT=0 COREPACK_ENABLE_AUTO_PIN=0
  export YARN_ENABLE_TELEMETRY=0
  # Backstage's scaffolder sandbox needs this on Node 20+.
  case " ${NODE_OPTIONS:-} " in *" --no-node-snapshot "*) ;; *) export NODE_OPTIONS="${NODE_OPTIONS:-} --no-node-snapshot" ;; esac
}

ensure_deps() {
  ensure_toolchain
  local stamp="$SYNTH_ROOT/node_modules/.synth-install-stamp"
  local want
  want=$( (cat "$SYNTH_ROOT/yarn.lock"; node -p 'process.version') | cksum)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  check_build_prereqs
  require_cmd flock "needed to serialise installs" "apt-get install -y util-linux"
  mkdir -p "$SYNTH_ROOT/node_modules"
  log "installing dependencies (yarn install --immutable; the first run takes a few minutes)"
  # One install at a time per checkout (parallel shells, editors and test runs share node_modules).
  (cd "$SYNTH_ROOT" && flock /tmp/synth-yarn.lock yarn install --immutable) ||
    die "yarn install failed (see the output above)" "fix the reported problem and run the command again; it resumes where it stopped"
  echo "$want" >"$stamp"
}

# PostgreSQL on 127.0.0.1:5432 with trust auth, for the store tests and the production-like config.
ensure_postgres() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    die "PostgreSQL is not installed (the store tests run on SQLite and PostgreSQL)" "apt-get install -y postgresql, then run the command again"
  fi
  local ver
  ver=$(pg_lsclusters -h 2>/dev/null | awk '$2=="main" {print $1; exit}')
  [ -n "$ver" ] || die "no PostgreSQL cluster named 'main' exists" "create one with 'pg_createcluster <version> main --start'"
  if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"' | grep -q online; then
    log "starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start ||
      die "PostgreSQL $ver/main did not start" "see /var/log/postgresql/postgresql-$ver-main.log"
  fi
  local i
  for i in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p 5432 -q || die "PostgreSQL does not answer on 127.0.0.1:5432" "see /var/log/postgresql/postgresql-$ver-main.log"
  export BACKSTAGE_TEST_DISABLE_DOCKER=1
  export "BACKSTAGE_TEST_DATABASE_POSTGRES${ver}_CONNECTION_STRING=postgresql://postgres@127.0.0.1:5432"
  export SYNTH_TEST_POSTGRES_ID="POSTGRES_${ver}"
}

# Debian's Chromium for Playwright (Playwright's own browser download cannot work here).
ensure_chromium() {
  export SYNTH_CHROMIUM="${SYNTH_CHROMIUM:-/usr/bin/chromium}"
  [ -x "$SYNTH_CHROMIUM" ] && return 0
  [ "$(id -u)" = 0 ] || die "Chromium is not installed at $SYNTH_CHROMIUM" "run 'sudo apt-get install -y chromium' (or set SYNTH_CHROMIUM to a Chromium binary)"
  log "installing Debian's chromium for the end-to-end tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
    die "apt-get could not install chromium" "run 'apt-get update && apt-get install -y chromium' and read its error"
}

# ensure_venv NAME: a project-local virtualenv .venvs/NAME from requirements/NAME.txt (pinned).
ensure_venv() {
  local name="$1" req="$SYNTH_ROOT/requirements/$1.txt" dir="$VENVS_DIR/$1"
  [ -f "$req" ] || die "no requirements file requirements/$name.txt" "use one of: $(ls "$SYNTH_ROOT/requirements" | sed 's/\.txt$//' | tr '\n' ' ')"
  require_cmd python3 "needed for the $name engine virtualenv" "apt-get install -y python3 python3-venv"
  local want
  want=$( (cat "$req"; python3 --version) | cksum)
  if [ -f "$dir/.synth-stamp" ] && [ "$(cat "$dir/.synth-stamp")" = "$want" ]; then
    return 0
  fi
  # Test files in parallel jest workers ask for the same venv: one builds it, the others wait on this
  # lock and then find the stamp, so nobody removes a venv another process is using.
  mkdir -p "$VENVS_DIR"
  (
    flock 9 || die "could not lock .venvs/.$name.lock" "check that $VENVS_DIR is writable"
    if [ -f "$dir/.synth-stamp" ] && [ "$(cat "$dir/.synth-stamp")" = "$want" ]; then
      exit 0
    fi
    log "creating the '$name' virtualenv in .venvs/$name (pinned, from PyPI)"
    rm -rf "$dir"
    python3 -m venv "$dir" || die "python3 -m venv failed" "apt-get install -y python3-venv"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req" ||
      die "pip could not install requirements/$name.txt" "check that PyPI is reachable and run the command again"
    echo "$want" >"$dir/.synth-stamp"
  ) 9>"$VENVS_DIR/.$name.lock"
}
