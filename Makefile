# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MEMEBOT := $(VENV)/bin/memebot
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MEMEBOT_HOME ?= $(CURDIR)/var

.PHONY: install system-deps index router run test lint bench clean

# The venv is rebuilt when pyproject.toml changes. torch==2.13.0 is pinned there (a CPU build is served here).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Tesseract with Russian and English data for reading meme pictures (Debian packages; needs root).
system-deps:
	@bash scripts/system-deps.sh

install: $(VENV)/.installed system-deps

index: install
	$(MEMEBOT) index build

router: index
	$(MEMEBOT) router train --if-needed

run: router
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(MEMEBOT) serve; else exec $(MEMEBOT) chat; fi

# The storage tests also run against a real PostgreSQL: a throwaway cluster on 127.0.0.1,
# removed afterwards even when tests fail.
test: router
	$(VENV)/bin/ruff check .
	@dir=$$(mktemp -d); trap 'scripts/pg-test.sh stop "$$dir" || rm -rf "$$dir"' EXIT; \
	url=$$(scripts/pg-test.sh start "$$dir") && MEMEBOT_TEST_POSTGRES_URL="$$url" $(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .

bench: router
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var
