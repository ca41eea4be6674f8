# ckptlab: `make lab` to learn, `make test` to check everything.
# Environments are created on first use from the pinned constraints.txt.

PYTHON ?= python3
VENV ?= .venv
PARITY_VENV ?= .venv-parity
PARITY_PYTHON ?= $(shell command -v python3.11 || command -v python3.10 || command -v python3)
PY := $(VENV)/bin/python
READY := $(VENV)/.ckptlab-installed
PARITY_READY := $(PARITY_VENV)/.ckptlab-installed
PYTEST_ARGS ?=

.PHONY: lab test browser-notebooks nbgrader-course unit parity fuzz peer-suite corpus bench lint lock lock-pythons pythons clean help
.DEFAULT_GOAL := help

help:
	@echo "make lab     start JupyterLab on tutorials/ (127.0.0.1), installing on first use"
	@echo "make test    run the whole suite: unit, tf, notebooks, browser, parity"
	@echo "make unit    only the fast tests that need no TensorFlow"
	@echo "make browser-notebooks  only the run of every notebook in JupyterLab + Chromium (Binder's kernel)"
	@echo "make nbgrader-course  real nbgrader autograde of every exercise (make test: a few)"
	@echo "make parity  only the parity suite against the real tf.estimator 2.15"
	@echo "make fuzz    fuzz the checkpoint reader longer (FUZZ_EXAMPLES per target, random)"
	@echo "make peer-suite UPSTREAM=DIR  tf.estimator 2.15's own tests on the engine and the real"
	@echo "             tf.estimator (DIR: tensorflow_estimator/python/estimator of a v2.15.0 checkout)"
	@echo "make corpus  the whole real-world corpus, and its behaviour on real TensorFlow"
	@echo "make bench   run the benchmarks, write bench/results/latest.{json,md}"
	@echo "make lint    ruff"
	@echo "make lock    re-pin constraints.txt and requirements/parity.txt"
	@echo "make lock-pythons  one lock for Python 3.10-3.13 (markers per Python), keeping pins"
	@echo "make pythons       install into every Python 3.10-3.13 found; run a check and a tutorial"

$(READY): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $@

$(PARITY_READY): requirements/parity.txt
	@$(PARITY_PYTHON) -c 'import sys; sys.exit(not (3, 9) <= sys.version_info[:2] <= (3, 11))' \
	  || { echo "parity: needs Python 3.9-3.11 for tensorflow 2.15; set PARITY_PYTHON=..."; exit 1; }
	@test -x $(PARITY_VENV)/bin/python || $(PARITY_PYTHON) -m venv $(PARITY_VENV)
	$(PARITY_VENV)/bin/python -m pip install --quiet -r requirements/parity.txt
	$(PARITY_VENV)/bin/python -m pip install --quiet --no-deps -e .
	@touch $@

lab: $(READY)
	$(VENV)/bin/ckptlab lab

test: $(READY) $(PARITY_READY)
	CKPTLAB_PARITY_PYTHON=$(abspath $(PARITY_VENV))/bin/python $(PY) -m pytest $(PYTEST_ARGS)

browser-notebooks: $(READY)
	$(PY) -m pytest tests/browser/test_every_notebook.py $(PYTEST_ARGS)

nbgrader-course: $(READY)
	CKPTLAB_NBGRADER=all $(PY) -m pytest tests/notebooks/test_nbgrader_course.py $(PYTEST_ARGS)

unit: $(READY)
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

parity: $(READY) $(PARITY_READY)
	CKPTLAB_PARITY_PYTHON=$(abspath $(PARITY_VENV))/bin/python $(PY) -m pytest tests/parity $(PYTEST_ARGS)

FUZZ_EXAMPLES ?= 1000
fuzz: $(READY)
	CKPTLAB_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) CKPTLAB_FUZZ_RANDOM=1 $(PY) -m pytest tests/fuzz -p no:cacheprovider -q $(PYTEST_ARGS)

peer-suite: $(READY) $(PARITY_READY)
	@test -n "$(UPSTREAM)" || { echo "peer-suite: set UPSTREAM=.../tensorflow_estimator/python/estimator (tensorflow/estimator at v2.15.0)"; exit 2; }
	CKPTLAB_PARITY_PYTHON=$(abspath $(PARITY_VENV))/bin/python $(PY) -m tests.peer.run $(UPSTREAM) $(PEER_ARGS)
corpus: $(READY) $(PARITY_READY)
	CKPTLAB_CORPUS=all $(PY) -m pytest tests/tf/test_corpus.py $(PYTEST_ARGS)
	CKPTLAB_PARITY_PYTHON=$(abspath $(PARITY_VENV))/bin/python $(PY) -m tests.corpus --confirm

bench: $(READY) $(PARITY_READY)
	CKPTLAB_PARITY_PYTHON=$(abspath $(PARITY_VENV))/bin/python $(PY) -m bench

lint: $(READY)
	$(VENV)/bin/ruff check .

LOCK_TMP := $(abspath build/lock)
lock:
	rm -rf $(LOCK_TMP) && $(PYTHON) -m venv $(LOCK_TMP)/main && $(PARITY_PYTHON) -m venv $(LOCK_TMP)/parity
	$(LOCK_TMP)/main/bin/pip install --quiet ".[test]"
	# the parity side imports ckptlab --no-deps: its runtime needs (reader, worker) and the
	# scenarios' pandas, the same major release as the main environment's
	$(LOCK_TMP)/parity/bin/pip install --quiet "tensorflow==2.15.1" "tensorflow-estimator==2.15.0" \
	  pytest google-crc32c cloudpickle "pandas>=2.2,<3"
	{ echo "# Exact versions for reproducible classrooms: make and binder/ install with this file."; \
	  echo "# Regenerate with make lock after changing pyproject.toml."; \
	  $(LOCK_TMP)/main/bin/pip freeze | grep -v '^ckptlab'; } > constraints.txt
	{ echo "# The parity environment: the last TensorFlow with tf.estimator (Python 3.9 to 3.11)."; \
	  echo "# Regenerate with make lock."; $(LOCK_TMP)/parity/bin/pip freeze; } > requirements/parity.txt

# Other interpreters: uv resolves one lock for every Python 3.10-3.13 (markers where a
# package differs), keeping the current pins wherever they fit (constraints.txt is its
# preference file). Offline: no Python downloads.
ONLY ?=
lock-pythons: $(READY)
	mkdir -p build
	{ sed -n '1,3p' constraints.txt; UV_PYTHON_DOWNLOADS=never $(VENV)/bin/uv pip compile \
	  pyproject.toml --extra test --universal --python-version 3.10 --no-header \
	  --no-annotate -o constraints.txt --quiet && cat constraints.txt; } > build/constraints.new
	mv build/constraints.new constraints.txt

pythons: $(READY)
	$(PY) requirements/check_pythons.py $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) $(PARITY_VENV) build dist .pytest_cache
