# Kampung Siaga — everything a fresh clone needs is Python >= 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-e2e lint typecheck imports migrations-check pytest bench messages clean serve worker

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/siaga demo

test: $(STAMP) lint typecheck imports migrations-check pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy siaga bench e2e

# The dependency rule (docs/adr/0009-dependency-rule.md): contracts in pyproject.toml.
imports: $(STAMP)
	$(BIN)/lint-imports

migrations-check: $(STAMP)
	$(BIN)/siaga makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/pytest

# Browser journeys on a phone-sized Chromium (Debian's package: apt-get install chromium).
# Screenshots of every step land in var/e2e (E2E_ARTIFACTS to change it).
test-e2e: $(STAMP)
	$(BIN)/pytest e2e -p no:randomly

bench: $(STAMP)
	$(BIN)/python -m bench

# Needs GNU gettext (xgettext) on the developer's machine; compiling uses polib (PyPI).
messages: $(STAMP)
	cd siaga && ../$(BIN)/siaga makemessages -l id --no-location --no-obsolete -i "*/tests/*"
	$(BIN)/python -m siaga.core.i18n compile

serve: $(STAMP)
	$(BIN)/siaga serve

worker: $(STAMP)
	$(BIN)/siaga worker

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
