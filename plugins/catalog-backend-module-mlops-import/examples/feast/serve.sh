#!/usr/bin/env bash
# Serves the example Feast feature repository of this directory for the catalog import's dev config:
# copies it to .engines/feast-demo/, writes its parquet data, runs `feast apply` and then
# `feast ui` on 127.0.0.1:${SYNTH_FEAST_PORT:-8888}, whose registry REST API is under /api/v1.
# Runs in the foreground; stop it with Ctrl-C. Uses the project's pinned .venvs/feast, plus
# Feast's grpcio extra in .venvs/feast-grpcio while requirements/feast.txt does not pin it
# (plugins/mlops-node/requirements-feast-rest.txt).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../../../scripts/lib.sh
source "$HERE/../../../../scripts/lib.sh"
PORT="${SYNTH_FEAST_PORT:-8888}"
STATE="$SYNTH_ROOT/.engines/feast-demo"
FEAST="$VENVS_DIR/feast/bin"

ensure_venv feast
if ! "$FEAST/python" -c 'import grpc, grpc_reflection, grpc_health' 2>/dev/null; then
  req="$SYNTH_ROOT/plugins/mlops-node/requirements-feast-rest.txt"
  overlay="$VENVS_DIR/feast-grpcio"
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ "$(cat "$overlay/.synth-stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Feast's grpcio extra into .venvs/feast-grpcio (feast ui needs it)"
    rm -rf "$overlay"
    "$FEAST/pip" install --quiet --disable-pip-version-check --no-deps --target "$overlay" -r "$req" ||
      die "pip could not install $req" "check that PyPI is reachable and run the command again"
    printf %s "$want" >"$overlay/.synth-stamp"
  fi
  export PYTHONPATH="$overlay${PYTHONPATH:+:$PYTHONPATH}"
fi
if port_in_use "$PORT"; then
  die "port $PORT on 127.0.0.1 is already taken" "stop what listens there or set SYNTH_FEAST_PORT"
fi

mkdir -p "$STATE"
cp "$HERE/feature_store.yaml" "$HERE/features.py" "$HERE/make_data.py" "$STATE/"
cd "$STATE"
export FEAST_USAGE=False
"$FEAST/python" make_data.py
"$FEAST/feast" apply
log "Feast registry REST API on http://127.0.0.1:$PORT/api/v1 (UI on http://127.0.0.1:$PORT)"
exec "$FEAST/feast" ui --host 127.0.0.1 --port "$PORT"
