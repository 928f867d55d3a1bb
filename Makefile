# Two commands: `make run` and `make test`. Each creates .venv, installs, then runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# installed: the package with the test and development tools; the package alone (make run)
STAMP := $(VENV)/.installed-dev
RUN_STAMP := $(VENV)/.installed

.PHONY: run test install lint bench calibrate clean data

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP) $(RUN_STAMP)

install: $(STAMP)

## run: install, then run the main job on the bundled example workspace (writes the reports)
run: $(RUN_STAMP)
	$(BIN)/forecast run

## test: install, then run the whole test suite (two workers, one BLAS thread each; the tests
## of the shared bundled run on one worker: --dist loadgroup)
test: $(STAMP)
	$(BIN)/ruff check .
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/pytest -n 2 --dist loadgroup -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## data: rebuild data/observations.csv, regions.csv and data/calibration/ from data/external/
data: $(STAMP)
	$(BIN)/python scripts/build_observations.py

## bench: timings and accuracy against the anchors (figures in BENCHMARKS.md)
bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_run.py
	$(BIN)/python benchmarks/bench_accuracy.py
	$(BIN)/python benchmarks/reliability_figure.py

## calibrate: refresh models/calibration.json from the bundled series
calibrate: $(STAMP)
	$(BIN)/forecast calibrate

clean:
	rm -rf $(VENV)
