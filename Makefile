# trueup: the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit integration e2e slow bench clean install node

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Shopify's official JavaScript client, for the client tests; skipped where Node.js is absent.
node:
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/clients/js && npm ci --silent --no-audit --no-fund; \
	else echo "npm not found: tests that drive Shopify's JavaScript client will be skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

demo: $(STAMP)
	$(BIN)/trueup demo --dir .demo --orders 50 --seed 7 --until-settled

test: $(STAMP) node lint typecheck
	$(BIN)/pytest -m "not slow" -p no:cacheprovider
	$(BIN)/pytest -m "slow" -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/trueup bench intake
	$(BIN)/python -m tests.benchmarks.engine
	$(BIN)/trueup bench tryton
	$(BIN)/trueup bench payouts
	$(BIN)/trueup bench sandbox
	$(BIN)/trueup bench inventory
	$(BIN)/trueup bench console

clean:
	rm -rf $(VENV) .demo .cache
