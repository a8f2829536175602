#!/usr/bin/env bash
# `make test`: lint, types and the whole suite, in under ten minutes on a fresh 2-core machine.
#
# The models the slow tests need take most of that time, and most tests need none of them, so they
# run side by side:
#
#   1. install (the venv from requirements.lock, Tesseract) — once, before anything else;
#   2. in the background: the index build, then the router's fine-tuning, logged;
#      meanwhile `make check` (ruff, mypy) and the fast tests (-m "not slow and not e2e");
#   3. once the index exists: the slow tests that need no router (-m "(slow or e2e) and not router");
#   4. once the router exists: the rest (-m router: the answer pipeline, the CLI, the bot end to end).
#
# The decision model (`memebot decision fit`, part of `make router`) is not fitted here: the tests
# build their pipelines without it (tests/test_answer_evaluate.py covers the fitting itself).
# Tests run in pytest-xdist workers (one file per worker: module fixtures stay shared); the storage
# tests also run against a throwaway PostgreSQL cluster, removed afterwards even when tests fail.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export MEMEBOT_HOME=${MEMEBOT_HOME:-$PWD/var} HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
FAST_WORKERS=${FAST_WORKERS:-2}
SLOW_WORKERS=${SLOW_WORKERS:-3}

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "install"
make --no-print-directory install

pg_dir=$(mktemp -d)
models_log=$(mktemp)
cleanup() {
  scripts/pg-test.sh stop "$pg_dir" >/dev/null 2>&1 || rm -rf "$pg_dir"
  rm -f "$models_log" "${index_ready:-}"
}
trap cleanup EXIT
MEMEBOT_TEST_POSTGRES_URL=$(scripts/pg-test.sh start "$pg_dir")
export MEMEBOT_TEST_POSTGRES_URL

index_ready=$(mktemp -u)
step "models in the background: index, then router (log: $models_log)"
# The router is fine-tuned with the product's recipe (3 epochs, ~2 minutes on 2 idle cores);
# ROUTER_EPOCHS overrides it.
(
  make --no-print-directory index && touch "$index_ready" &&
    .venv/bin/memebot router train --if-needed ${ROUTER_EPOCHS:+--epochs "$ROUTER_EPOCHS"}
) >"$models_log" 2>&1 &
models=$!

failed=0
step "lint and types"
make --no-print-directory check || failed=1
step "fast tests"
$PY -m pytest -q -m "not slow and not e2e" -n "$FAST_WORKERS" --dist loadfile -p no:cacheprovider --durations=15 || failed=1

step "waiting for the index"
while [ ! -e "$index_ready" ] && kill -0 "$models" 2>/dev/null; do sleep 1; done
if [ ! -e "$index_ready" ]; then
  cat "$models_log"
  echo "make index failed" >&2
  exit 1
fi
step "slow tests that need no router"
$PY -m pytest -q -m "(slow or e2e) and not router" -n "$SLOW_WORKERS" --dist loadfile -p no:cacheprovider --durations=15 || failed=1

step "waiting for the router"
if ! wait "$models"; then
  cat "$models_log"
  echo "router training failed" >&2
  exit 1
fi
grep -E "built|trained in|up to date" "$models_log" || true
[ "$failed" -eq 0 ] || { echo "lint, types or tests failed" >&2; exit 1; }

step "tests that need the router (answers, CLI, the bot end to end)"
$PY -m pytest -q -m "router" -n "$SLOW_WORKERS" --dist loadfile -p no:cacheprovider --durations=15
step "done"
