#!/usr/bin/env bash
# What `make test` runs: formatting, lints, a build of every binary, then the
# whole suite twice, on SQLite and on PostgreSQL, against a pinned NATS server.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"

step() { printf '\n==> %s\n' "$*"; }

# One build cache shared by every work tree of this project on the machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/prism-target}"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step "toolchain: $(cargo --version); target dir $CARGO_TARGET_DIR"
if ! cargo nextest --version >/dev/null 2>&1; then
  step "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi
cargo nextest --version | head -n 1

step "installing the pinned NATS server"
PRISM_NATS_SERVER="$(bash deploy/scripts/install-nats.sh | tail -n 1)"
export PRISM_NATS_SERVER
echo "PRISM_NATS_SERVER=$PRISM_NATS_SERVER ($("$PRISM_NATS_SERVER" --version))"

step "making sure PostgreSQL answers"
PRISM_TEST_PG_URL="$(bash deploy/scripts/ensure-postgres.sh | tail -n 1)"
export PRISM_TEST_PG_URL
echo "PRISM_TEST_PG_URL=$PRISM_TEST_PG_URL"

# Headless Chromium for the public site's browser test (Debian's package).
if [[ -f deploy/scripts/install-chromium.sh ]]; then
  step "making sure headless Chromium is installed"
  PRISM_CHROMIUM="$(bash deploy/scripts/install-chromium.sh | tail -n 1)"
  export PRISM_CHROMIUM
  echo "PRISM_CHROMIUM=$PRISM_CHROMIUM"
fi

step "making sure the benchmarks' reference programs are installed (nginx, Alertmanager)"
bash deploy/bench/install-peers.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo build --bins"
cargo build --workspace --bins

step "make up smoke run (debug binaries, throwaway data)"
bash deploy/scripts/smoke-up.sh

LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

run_suite() {
  local db="$1"
  step "test suite on $db (PRISM_TEST_DB=$db)"
  PRISM_TEST_DB="$db" cargo nextest run --workspace --no-fail-fast 2>&1 | tee "$LOG_DIR/$db.log"
}

# "N passed, N failed" from nextest's closing Summary line; 0 and 0 when it never got there.
count() {
  local db="$1" what="$2" line
  line="$(grep -E '^\s*Summary \[' "$LOG_DIR/$db.log" | tail -n 1 || true)"
  sed -nE "s/.* ([0-9]+) ${what}.*/\1/p" <<<"$line" | head -n 1 | grep . || echo 0
}

TOTAL_PASSED=0
TOTAL_FAILED=0
SUMMARY=()

describe() {
  local db="$1" rc="$2" p f t note=""
  p="$(count "$db" passed)"
  f="$(count "$db" failed)"
  t="$(count "$db" "timed out")"
  f=$((f + t))
  if [[ "$rc" -ne 0 ]]; then
    note=" (exit $rc)"
    if [[ "$f" -eq 0 ]]; then f=1; fi # it failed before or outside the tests
  fi
  SUMMARY+=("$db $p passed, $f failed$note")
  TOTAL_PASSED=$((TOTAL_PASSED + p))
  TOTAL_FAILED=$((TOTAL_FAILED + f))
}

sqlite_rc=0
postgres_rc=0
run_suite sqlite || sqlite_rc=$?
run_suite postgres || postgres_rc=$?

describe sqlite "$sqlite_rc"
describe postgres "$postgres_rc"
echo
echo "summary: ${SUMMARY[0]}; ${SUMMARY[1]}"
echo "tests: $TOTAL_PASSED passed, $TOTAL_FAILED failed"

if [[ "$sqlite_rc" -ne 0 || "$postgres_rc" -ne 0 ]]; then
  exit 1
fi
