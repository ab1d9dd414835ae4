# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench wheel-smoke windows-smoke clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ngheo demo --out demo_out

test: $(STAMP)
	$(BIN)/ruff check ngheo_cli tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check ngheo_cli tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_classify.py
	$(BIN)/python benchmarks/bench_history.py
	$(BIN)/python benchmarks/bench_assign.py
	$(BIN)/python benchmarks/bench_report.py

# Build the wheel, install it in a clean venv, run the demo from there (templates and
# rules files must ship inside the wheel).
wheel-smoke: $(STAMP)
	rm -rf dist build/smoke-venv build/smoke-run
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	$(PYTHON) -m venv build/smoke-venv
	build/smoke-venv/bin/python -m pip install --quiet dist/ngheo-*.whl
	mkdir -p build/smoke-run
	cd build/smoke-run && ../smoke-venv/bin/ngheo demo --out out
	cd build/smoke-run && ../smoke-venv/bin/python -m ngheo_cli --help > /dev/null

# The README's Windows commands (py -m pip install …whl, py -m ngheo_cli demo, classify), run
# as written in a clean venv from the built wheel; `py` stands for the venv's python.
windows-smoke: $(STAMP)
	rm -rf dist build/win-venv build/win-run
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	$(PYTHON) -m venv build/win-venv
	$(BIN)/python tests/smoke/readme_windows.py build/win-venv/bin/python $$(ls dist/ngheo-*.whl) build/win-run

clean:
	rm -rf $(VENV) build dist demo_out
