# The two commands a newcomer needs: `make run` and `make test`. Both build .venv/ first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed

.PHONY: run test fuzz mutate clients screenshots lint typecheck format ci clean patient-web drafts-eval

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

## make run: migrate, load the demo, and run web + Celery worker + beat on 127.0.0.1:$PORT.
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python -m launcher.run

## make test: the whole test suite, on every core (pytest-xdist; TEST_WORKERS=0 runs it in one
## process). Starts its own Redis when REDIS_URL is unset.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## make mutate: mutation testing (mutmut, [tool.mutmut] in pyproject.toml) of the models, services
## and selectors of accounts, journal, care and reminders, care's and reminders' other rules, and the
## dashboard's guards, then the kill ratio. Results are kept in mutants/: a second run retests only
## what changed. MUTANTS='journal.dates.*' retests just those mutants. About 3,700 mutants: about
## an hour and a half on two idle cores. Always SQLite in memory and an embedded Redis: mutants run
## side by side, one per core. After adding tests, delete mutants/mutmut-stats.json (or mutants/):
## mutmut 3.8's incremental stats replace a function's map of tests with the new tests alone.
mutate: $(STAMP)
	env -u DATABASE_URL -u REDIS_URL $(BIN)/mutmut run $(MUTANTS)
	$(BIN)/python tools/mutation_score.py

## make fuzz: the suite's schemathesis run (every check, every phase, each role), longer and with
## fresh randomness: make fuzz EXAMPLES=300 STATEFUL=100 MINUTES=10
EXAMPLES ?= 200
STATEFUL ?= 50
MINUTES ?= 10
fuzz: $(STAMP)
	GOOD_ENOUGH_FUZZ_EXAMPLES=$(EXAMPLES) GOOD_ENOUGH_FUZZ_STATEFUL=$(STATEFUL) GOOD_ENOUGH_FUZZ_MINUTES=$(MINUTES) \
		$(BIN)/python -m pytest tests/backend/test_openapi.py --timeout=0 -q -rs $(PYTEST_ARGS)

## make clients: the API clients a client team would generate (Python, TypeScript, Kotlin, Swift), into
## clients/build/ from the schema; tsc checks clients/typescript/flow.ts against the TypeScript types; then a
## report of each generator's warnings. Needs Java (openapi-generator's jar) and npm (clients/typescript/).
## make clients SCHEMA=file.json checks that schema instead of this tree's.
clients: $(STAMP)
	$(BIN)/python tools/clients.py $(if $(SCHEMA),--schema $(SCHEMA))

## make patient-web: rebuild the patient's app (patient_web/): the schema's TypeScript types, then tsc into
## patient_web/static/patient_web/ and patient_web/worker/, which are committed. Needs npm (the tools are pinned
## in patient_web/frontend/package-lock.json). CI runs it with --check: the committed build must be what the
## source builds to, and a schema change that breaks the app fails there.
patient-web: $(STAMP)
	$(BIN)/python tools/patient_web.py $(if $(CHECK),--check)

## make drafts-eval: the session drafter scored on a corpus of transcripts with their expected drafts
## (docs/drafts-corpus.md): precision, recall, kind, cadence, days, planned day, time, evidence and
## who-is-who, per format. The project's own corpus by default; make drafts-eval CORPUS=dir for another
## (one kept outside the project: never VERBOSE=1 on it, reading its misses is tuning on it).
CORPUS ?= tests/care/drafts
drafts-eval: $(STAMP)
	$(BIN)/python tools/drafts_eval.py $(CORPUS) $(if $(VERBOSE),--verbose)

## make screenshots: the dashboard's roster (the demo's, and a caseload of 200), patient page, brief and
## invites at 1440 and 360 px wide, and every
## screen of the patient's app at 360 px, drawn by the browser tests from the demo (built at a fixed moment)
## into docs/screenshots/ for the README. Needs Chromium (/usr/bin/chromium, or GOOD_ENOUGH_BROWSER).
screenshots: $(STAMP)
	env -u DATABASE_URL -u REDIS_URL GOOD_ENOUGH_BROWSER_REQUIRED=1 GOOD_ENOUGH_SCREENSHOTS_DIR="$(CURDIR)/docs/screenshots" \
		$(BIN)/python -m pytest tests/dashboard/browser/test_screenshots.py tests/dashboard/browser/test_attention.py \
		"tests/dashboard/browser/test_roster.py::test_the_compact_roster_of_200_fits_25_rows_on_one_screen" \
		"tests/patient_web/browser/test_screens.py::test_every_screen_reads_well_on_a_phone" \
		tests/patient_web/browser/test_help.py -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make typecheck: mypy with django-stubs, whose plugin imports the settings. Those want secrets
## unless DEBUG is on, so it runs as `make run` does, with a throwaway var/ for the dev keys.
typecheck: $(STAMP)
	@var=$$(mktemp -d) && trap 'rm -rf "$$var"' EXIT && \
	  env -u DATABASE_URL -u REDIS_URL DEBUG=1 GOOD_ENOUGH_VAR_DIR="$$var" $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis mutants clients/build clients/typescript/node_modules
