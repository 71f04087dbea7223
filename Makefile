# Two commands for a newcomer:  `make run` (set up, build, serve)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: setup build run test clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

build: setup
	$(BIN)/kg build

run: build
	$(BIN)/kg serve

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf data .pytest_cache
