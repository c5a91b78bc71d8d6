# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared

.PHONY: run once test lint typecheck eval calibrate bench screenshot docker-test docker-build clean

$(BIN)/monitor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

run: $(BIN)/monitor          ## run the monitor with the shipped config (console alerts without a Slack token)
	$(BIN)/monitor run --config config/monitor.yaml

once: $(BIN)/monitor
	$(BIN)/monitor once --config config/monitor.yaml

test: $(BIN)/monitor         ## install what tests need, lint, type-check, run every test
	$(BIN)/ruff check monitor tests bench scripts
	$(BIN)/mypy monitor tests bench scripts
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-postgresql.sh
	$(BIN)/pytest

lint: $(BIN)/monitor
	$(BIN)/ruff check monitor tests bench scripts

typecheck: $(BIN)/monitor
	$(BIN)/mypy monitor tests bench scripts

eval: $(BIN)/monitor         ## score the monitor on the dev corpus, then on every story of ../shared/eval/stories (own seeds only)
	$(PYTHON) $(SHARED)/eval/harness.py --corpus $(SHARED)/eval/dev.json \
	    --seeds $(SHARED)/seeds seeds --monitor "$(BIN)/monitor" --json bench/dev-result.json
	$(PYTHON) $(SHARED)/eval/pool.py "$(BIN)/monitor" bench/stories $(SHARED)/eval/stories/*/

calibrate: $(BIN)/monitor    ## leave-one-story-out choice of the analysis thresholds (in-process replay)
	$(BIN)/python -m scripts.calibrate $(SHARED)/eval/stories/*/ --dev

bench: $(BIN)/monitor        ## benchmarks against baselines measured in the same run
	$(BIN)/python -m bench.run

screenshot: $(BIN)/monitor    ## docs/timeline.png: the timeline page of the dev corpus's story, in headless chromium
	bash scripts/ensure-chromium.sh
	SCREENSHOT=$(CURDIR)/docs/timeline.png SCREENSHOT_PHONE=$(CURDIR)/docs/timeline-phone.png \
	    $(BIN)/pytest -q tests/e2e/test_timeline_browser.py

docker-test:                 ## build the image (docker, or podman via shared/tools) and run `monitor once` inside
	bash scripts/docker-test.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
