# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MEMEBOT := $(VENV)/bin/memebot
LOCK := requirements.lock
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MEMEBOT_HOME ?= $(CURDIR)/var

.PHONY: install bytecode system-deps index router run test test-fast check lint typecheck format lock bench clean

# The venv is rebuilt when the lock or pyproject.toml changes. The lock pins every package
# (torch==2.13.0+cpu, the CPU build that lies in /opt/wheels here); pyproject.toml keeps the loose
# ranges. uv installs the lock in ~10 s where pip takes ~110 s (measured on a fresh venv); pip is
# the fallback when uv itself can't be installed. Every installed module is compiled to bytecode ahead
# (PYTHONDONTWRITEBYTECODE is set on this machine, and a cold `memebot ask` would compile numpy's and
# the rest again each time); that costs ~90 s of CPU, so `make test`, which lets Python write the
# bytecode of what it imports instead, passes COMPILE_BYTECODE=0.
UV_VERSION := 0.13.9
COMPILE_BYTECODE ?= 1
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels)
$(VENV)/.installed: $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	if $(PY) -m pip install --quiet uv==$(UV_VERSION); then \
	  $(VENV)/bin/uv pip install --quiet $(if $(filter 1,$(COMPILE_BYTECODE)),--compile-bytecode) --python $(PY) $(FIND_LINKS) -r $(LOCK) && \
	  $(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .; \
	else \
	  $(PY) -m pip install --quiet -r $(LOCK) && $(PY) -m pip install --quiet --no-deps -e .; \
	fi
	touch $@

# Re-resolve the loose ranges in pyproject.toml into the lock, in a scratch venv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip && .lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^memebot' > $(LOCK)
	rm -rf .lock-venv

# Tesseract with Russian and English data for reading meme pictures (Debian packages; needs root).
system-deps:
	@bash scripts/system-deps.sh

# The project's own bytecode, compiled ahead: where PYTHONDONTWRITEBYTECODE is set (as on this
# machine) every `memebot ask` would otherwise compile ~80 modules again (0.15 s of a cold start).
bytecode: $(VENV)/.installed
	@$(PY) -m compileall -q -j 0 bot indexer router demos common

install: $(VENV)/.installed system-deps bytecode

index: install
	$(MEMEBOT) index build

# ROUTER_EPOCHS empty = the recipe's 4 epochs (held-out accuracy 0.963 on the 2,299 examples' split, ~2.5 min on 2 idle cores), the same
# recipe `make test` trains (there on one thread: `--threads 1`). A router trained for other epochs is retrained.
ROUTER_EPOCHS ?=
router: index
	$(MEMEBOT) router train --if-needed $(if $(ROUTER_EPOCHS),--epochs $(ROUTER_EPOCHS))
	$(MEMEBOT) decision fit --if-needed

run: router
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(MEMEBOT) serve; else exec $(MEMEBOT) chat; fi

# Lint, format and types: the same checks CI runs.
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

lint: check

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install
	$(VENV)/bin/mypy

# Lint, types and the whole suite (scripts/test-all.sh: the fast tests run while the models train;
# the storage tests also run against a throwaway PostgreSQL cluster).
test:
	@bash scripts/test-all.sh

# Everything but model training (the router, the demos' experiments), big builds and the end-to-end
# runs: about a minute on 2 idle cores (62 s measured with other work running).
test-fast: install
	$(PY) -m pytest -q -m "not slow and not e2e" -n 2 --dist loadfile

bench: router
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var
