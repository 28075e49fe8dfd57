# alertlens — everything a fresh Debian machine with Python 3.11 and make needs.
#   make demo   set up, run the nightly pipeline on the shipped samples, print the report path
#   make test   set up, run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# System packages: WeasyPrint's libraries and fonts, poppler (pdftotext for tests), Chromium
# (report screenshots), Prometheus + Alertmanager (the real end-to-end test).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	poppler-utils chromium prometheus prometheus-alertmanager
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PREFECT_HOME ?= $(CURDIR)/data/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1
export PREFECT_LOGGING_LEVEL ?= WARNING
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 90
export MPLBACKEND ?= Agg

.PHONY: demo test setup system venv lint bench clean help

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

demo: setup  ## run the nightly pipeline on data/samples and print the HTML report path
	$(BIN)/alertlens --config data/samples/unlucky-team/alertlens.toml nightly \
		--inbox data/samples/unlucky-team --lake data/lake --out data/reports

test: setup  ## run the whole test suite: lint, types, tests (doctests and the notebook included)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n 3 --maxschedchunk 1 --durations=10  # 3 workers on 2 cores: the slow tests wait on servers and schedules (clean clone: 160 s against 214 s with -n 2)

setup: system venv  ## install system packages (when missing) and the virtual environment

system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

lint: venv  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy

BENCH_APT_PACKAGES := time hyperfine
BENCH_DIR ?= /tmp/alertlens-bench

bench: setup  ## benchmarks at 100k, 1M and 10M alerts with their baselines (hours; benchmarks/README.md)
	@missing=$$(for p in $(BENCH_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	test -x $(BIN)/py-spy || $(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/run.py --workdir $(BENCH_DIR) --profile $(BENCH_ARGS); \
	status=$$?; $(BIN)/python benchmarks/render.py --results $(BENCH_DIR)/results.json --write benchmarks/README.md >/dev/null; exit $$status

clean:  ## remove generated data (keeps data/samples)
	rm -rf data/lake data/reports data/inbox data/.prefect
