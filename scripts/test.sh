#!/usr/bin/env bash
# The whole test suite (README quick start, line 2; CI runs exactly this through .ci/run).
# Stages: repo metadata check, lint, prettier, type check, jest (unit + integration, SQLite and
# PostgreSQL), Playwright end-to-end in Debian's Chromium. Every stage runs; the exit code is 0 only
# when all passed. The last line is "synth: N passed, N failed" (jest + Playwright test counts).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SYNTH_ROOT"

ensure_deps
ensure_postgres
ensure_chromium
# Every pinned venv the tests use (requirements/*.txt: engines, the drift oracle, generated projects,
# and Ray's, which the e2e portal's local executor trains with), built one after another before jest:
# built inside parallel test files on a loaded machine they could outlast the tests' start budgets.
for req in requirements/*.txt; do
  ensure_venv "$(basename "$req" .txt)"
done

# Engine tests start the local engines they need (scripts/engines.sh, default state dir) and leave
# them running for the other test files; stop what was not already running before this run.
engines_before=()
for engine in ray mlflow moto; do
  bash "$SYNTH_ROOT/scripts/engines.sh" status "$engine" >/dev/null 2>&1 && engines_before+=("$engine")
done
stop_started_engines() {
  local engine
  for engine in ray mlflow moto; do
    case " ${engines_before[*]} " in *" $engine "*) continue ;; esac
    bash "$SYNTH_ROOT/scripts/engines.sh" status "$engine" >/dev/null 2>&1 &&
      bash "$SYNTH_ROOT/scripts/engines.sh" stop "$engine" >/dev/null 2>&1
  done
  return 0
}
trap stop_started_engines EXIT

RESULTS="$SYNTH_ROOT/.test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
failed_stages=()

stage() { # stage NAME CMD...
  local name="$1"; shift
  log "── $name: $*"
  local t0=$SECONDS
  if "$@"; then
    log "── $name passed ($((SECONDS - t0)) s)"
  else
    log "── $name FAILED ($((SECONDS - t0)) s)"
    failed_stages+=("$name")
  fi
}

export CI="${CI:-true}"
# A Ray head the tests start fails a job whose supervisor is not up after 30 s (not the 300 s of
# scripts/engines.sh for people), so a starved machine gives Ray's verdict within the tests' waits.
export RAY_JOB_START_TIMEOUT_SECONDS="${RAY_JOB_START_TIMEOUT_SECONDS:-30}"
stage "set-up scripts" node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$RESULTS/setup.tap" scripts/setup.test.mjs
stage "package metadata" yarn fix --check
stage "lint" yarn lint
stage "prettier" yarn prettier:check
stage "type check" yarn tsc
stage "jest" yarn backstage-cli repo test --ci --json --outputFile="$RESULTS/jest.json"
stage "e2e" env PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/playwright.json" yarn playwright test

node "$SYNTH_ROOT/scripts/summarize-tests.js" "$RESULTS/setup.tap" "$RESULTS/jest.json" "$RESULTS/playwright.json" || failed_stages+=("test counts")

if [ "${#failed_stages[@]}" -gt 0 ]; then
  log "failed stages: ${failed_stages[*]}"
  exit 1
fi
log "all stages passed"
