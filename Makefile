# detente: `make demo` sets up and runs the main job; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint typecheck fmt-check pytest bench clean build serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/detente check
	$(BIN)/detente query --all
	$(BIN)/detente build --out dist
	@echo
	@echo "The publication is in dist/: open dist/index.html in a browser, or serve it with"
	@echo "the SPARQL endpoint:  $(BIN)/detente serve   (then open http://127.0.0.1:8000/)"

test: $(STAMP) lint typecheck fmt-check pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

fmt-check: $(STAMP)
	$(BIN)/detente fmt --check

# One worker a core (pytest-xdist, see pyproject.toml). Without ../shared/source/ the tests that
# need the article are skipped, saying so; DETENTE_REQUIRE_ALL=1 (as .ci/run sets) fails them.
pytest: $(STAMP)
	$(BIN)/pytest

build: $(STAMP)
	$(BIN)/detente build --out dist

serve: $(STAMP)
	$(BIN)/detente serve

bench: $(STAMP)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_questions.py

clean:
	rm -rf $(VENV) .cache dist build src/*.egg-info
