#!/usr/bin/env bash
# `make test`: lint, types and the whole suite, in under ten minutes on a fresh 2-core machine.
#
# The models the slow tests need take most of that time, and most tests need none of them, so they
# run side by side:
#
#   1. install (the venv from requirements.lock, Tesseract) — once, before anything else;
#   2. in the background, side by side: the index build and the router's fine-tuning (each logged;
#      the router needs only the encoders' files, which whichever starts first builds while the
#      other waits on their lock); meanwhile `make check` (ruff, mypy) and the fast tests
#      (-m "not slow and not e2e");
#   3. once the index exists: the slow tests that need no router (-m "(slow or e2e) and not router");
#   4. once the router exists: the rest (-m router: the answer pipeline, the CLI, the bot end to end).
#      Run beside the slow tests instead, they ended no sooner (627 s against 601 s: the suite is
#      bound by CPU, and six test processes spent more of it than three).
#
# The suite is bound by CPU: ~1,100 s of it on two cores (each phase prints its own), so what counts is
# spending less. The router trains on one torch thread, which spends ~12% less CPU than two (the same
# recipe; its weights differ in the last bits from a two-thread run, and the tests pass on both). The
# lint and the tests run at a lower priority (nice) than the two models; that was not measured on its
# own, and in the runs with it the router was done ~190 s before the tests that need it.
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
# Each phase's CPU beside its wall time: the suite is bound by the CPU of all phases together
# (two cores), not by any one of them.
TIMEFORMAT='   (%R s wall, %U s user, %S s sys)'

# Python writes the bytecode of what the suite imports, once, instead of `make install` compiling all
# of the venv ahead (~90 s of CPU, mostly torch's modules that no test process imports).
unset PYTHONDONTWRITEBYTECODE
step "install"
time make --no-print-directory install COMPILE_BYTECODE=0

pg_dir=$(mktemp -d)
index_log=$(mktemp)
router_log=$(mktemp)
cleanup() {
  for job in $(jobs -p); do { pkill -P "$job"; kill "$job"; } 2>/dev/null || true; done  # on failure
  scripts/pg-test.sh stop "$pg_dir" >/dev/null 2>&1 || rm -rf "$pg_dir"
  rm -f "$index_log" "$router_log" "${index_ready:-}"
}
trap cleanup EXIT
MEMEBOT_TEST_POSTGRES_URL=$(scripts/pg-test.sh start "$pg_dir")
export MEMEBOT_TEST_POSTGRES_URL

index_ready=$(mktemp -u)
step "models in the background: the index and the router side by side (logs: $index_log, $router_log)"
# Started together, the router no longer waits ~1-2 minutes for the index: it was the suite's
# critical path (index, then router, then the tests that need it). The router is fine-tuned with the
# product's recipe (4 epochs of e5's top four layers, ~3.5 minutes of one core, 211 s of CPU measured); ROUTER_EPOCHS overrides it.
(time make --no-print-directory index && touch "$index_ready") >"$index_log" 2>&1 &
indexing=$!
(time .venv/bin/memebot router train --if-needed --threads 1 ${ROUTER_EPOCHS:+--epochs "$ROUTER_EPOCHS"}) >"$router_log" 2>&1 &
training=$!

failed=0
# Each timed phase runs in a subshell: `time` counts the CPU of the children its shell reaped, and a
# background job that ends meanwhile would be counted with the phase.
step "lint and types"
(time nice make --no-print-directory check) || failed=1
step "fast tests"
(time nice $PY -m pytest -q -m "not slow and not e2e" -n "$FAST_WORKERS" --dist loadfile -p no:cacheprovider --durations=15) || failed=1

step "waiting for the index"
if ! wait "$indexing" || [ ! -e "$index_ready" ]; then
  cat "$index_log"
  echo "make index failed" >&2
  exit 1
fi
grep -E "^index |embedded|up to date|s wall" "$index_log" || true
step "slow tests that need no router"
(time nice $PY -m pytest -q -m "(slow or e2e) and not router" -n "$SLOW_WORKERS" --dist loadfile -p no:cacheprovider --durations=15) || failed=1

step "waiting for the router"
if ! wait "$training"; then
  cat "$router_log"
  echo "router training failed" >&2
  exit 1
fi
grep -E "trained in|up to date|s wall" "$router_log" || true
[ "$failed" -eq 0 ] || { echo "lint, types or tests failed" >&2; exit 1; }

step "tests that need the router (answers, CLI, the bot end to end)"
(time nice $PY -m pytest -q -m "router" -n "$SLOW_WORKERS" --dist loadfile -p no:cacheprovider --durations=15)
step "done"
