# Presenter License Manager — developer entry points.
# `make run` and `make test` work on a fresh machine: they create .venv and install first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint unit bench bench-million fuzz soak mutation lock clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## install: create .venv and install the `plm` command (nothing is started)
install: $(STAMP)

## run: install, migrate, load demo data and serve on http://127.0.0.1:8000
run: install
	$(BIN)/plm migrate
	$(BIN)/plm demo-data
	$(BIN)/plm serve --host 127.0.0.1 --port 8000

## lint: ruff, import-linter (core imports no Django) and mypy on the core
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## test: lint, then the whole suite on SQLite and on PostgreSQL
test: install lint
	bash scripts/test.sh

## bench: performance figures against baselines measured in the same run (docs/performance.md)
bench: install
	$(BIN)/python -m benchmarks.run

## bench-million: the same, plus the 1,000,000-row memory check
bench-million: install
	$(BIN)/python -m benchmarks.run --million

## fuzz: the reader's atheris fuzz target for FUZZ_SECONDS (default 60)
FUZZ_SECONDS ?= 60
fuzz: install
	PLM_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/pytest tests/unit/test_fuzz_reader.py -q

## soak: the reliability tests at full size (100,000 rows; 900 slow clients for 90 s; workbook bombs) and 10 minutes of fuzzing
soak: install
	PLM_SOAK=1 bash scripts/test.sh -k "concurrency or crash or slow_clients or bomb" -q -s
	$(MAKE) fuzz FUZZ_SECONDS=600

## mutation: mutmut over src/plm/core and the job runner (on SQLite), then the kill rate per
## module and every mutant not killed (docs/testing.md); fails under 90% killed.
## From scratch each time (mutants/ is removed first); MUTATION_CHILDREN parallel test runs.
MUTATION_CHILDREN ?= 2
mutation: install
	rm -rf mutants
	env -u PLM_DATABASE_URL PLM_MUTATION=1 $(BIN)/mutmut run --max-children $(MUTATION_CHILDREN)
	$(BIN)/python scripts/mutation_report.py --min 90

## lock: re-pin requirements.lock from the current .venv
lock:
	(echo "# Exact versions installed by 'make install' (runtime + development). Regenerate with 'make lock'."; \
	 $(BIN)/pip freeze --all --exclude-editable | grep -v -e '^plm' -e '^pip==') > requirements.lock

clean:
	rm -rf $(VENV) var mutants .pytest_cache .mypy_cache .ruff_cache
