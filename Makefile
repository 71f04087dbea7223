# Two commands for a newcomer:  `make run` (set up, build, serve)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
ASSETS  = kg/web/assets

.PHONY: setup build run test answers browser vendor clean

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

test: setup browser
	$(BIN)/python -m pytest

# Refresh queries/*.tsv from a fresh build after a deliberate change to the data; an empty or
# failed answer is never written over a stored one. Review with `git diff queries/`.
answers: build
	$(BIN)/kg query --refresh

# The browser tests drive Debian's chromium through Debian's chromium-driver (never a downloaded
# browser). Installed when missing; if that fails (not root, no apt), `make test` stops here,
# and the browser tests, run without it, fail rather than skip.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update && apt-get install -y chromium chromium-driver) || \
	  { echo "could not install chromium and chromium-driver: the browser tests cannot run" >&2; exit 1; }

# Refresh the vendored browser libraries (kg/web/static/vendor/, committed) from the npm registry,
# at the exact versions of kg/web/assets/package-lock.json. Needs Node.js and npm; serving does not.
vendor:
	cd $(ASSETS) && npm ci --no-audit --no-fund && node build.mjs

clean:
	rm -rf data .pytest_cache $(ASSETS)/node_modules
