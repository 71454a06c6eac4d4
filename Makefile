# Two commands for a fresh machine (Python 3.11+ and make): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
# `make run PORT=5001` serves elsewhere; links in emails and feeds follow (PUBLIC_URL, unless set).
PORT ?= 5000

# The development commands choose development on purpose (an APP_ENV already set is kept).
migrate seed run: export APP_ENV ?= development
run: export PUBLIC_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test test-fast lint translations extract-messages migrate seed clean bench bench-mail

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

$(VENV)/.dev-installed: $(BIN)/activate requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Compile the French catalog (messages.po → messages.mo).
translations: $(BIN)/activate
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -f --statistics 2>&1 | grep -v '^$$' || true
	@test -f app/translations/fr/LC_MESSAGES/messages.mo

## Re-extract the interface strings and merge them into the French catalog.
extract-messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --ignore-obsolete

migrate: $(BIN)/activate
	$(BIN)/flask db upgrade

## The demo data; the French catalog first, for the demo emails it queues.
seed: translations migrate
	$(BIN)/flask seed-demo

## Install, migrate, load the demo data and serve on http://127.0.0.1:$(PORT) (default 5000)
run: translations seed
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## Install what the tests need and run the whole suite.
test: $(VENV)/.dev-installed translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The suite without the slowest browser checks (marked `slow`), for the inner loop.
test-fast: $(VENV)/.dev-installed translations
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

## How many bilingual invitations per second reach a local SMTP server (../shared/validators/mail-sink).
bench-mail: $(BIN)/activate translations
	$(BIN)/python bench/mail_throughput.py $(BENCH_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

## The app at network scale (seed-demo --scale) beside a bare Flask route: every page, the write paths on
## PostgreSQL, mail, memory, the note's PDF; writes bench/RESULTS.md (needs wrk; see bench/run.py).
bench: $(VENV)/.dev-installed translations
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
