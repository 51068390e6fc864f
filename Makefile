# paperclerk — the two commands: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
#: pytest-xdist processes for `make test` (each gets its own PostgreSQL database and Redis db).
TEST_WORKERS ?= 3

.PHONY: run test bench lint install clean image

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

## Start paperclerk embedded (SQLite, local files, in-process workers) with sample documents.
run: $(INSTALLED)
	$(BIN)/paperclerk serve --samples

## Run the whole test suite (PostgreSQL/Redis/Celery tests need PAPERCLERK_TEST_* URLs; see DEVELOPERS.md).
test: $(INSTALLED)
	@scripts/ensure-browser.sh
	@scripts/ensure-ocr.sh
	@scripts/ensure-ops-tools.sh
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=25

## Print the performance table (also written to benchmarks/results.md).
bench: $(INSTALLED)
	$(BIN)/python -m benchmarks.run

## Build the container image with podman (a Debian base made by debootstrap) and check it (~15 min the first time).
image:
	@scripts/ensure-image-tools.sh
	scripts/build-image.sh

lint: $(INSTALLED)
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache
