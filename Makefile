# One entry point for readers, learners and maintainers; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.package-lock.json
NOTEBOOKS := index.ipynb $(sort $(wildcard chapters/*.ipynb)) $(sort $(wildcard solutions/*.ipynb))

# Kernels started by Jupyter tools run `python` from PATH: make it the venv's.
export PATH := $(BIN):$(PATH)

.PHONY: help install test book lab pdf execute bench lint lock clean bench-site exercises bench-grading bench-explorers bench-batched

help:
	@echo "make test     run every test: helpers, notebooks (nbval), style, site build"
	@echo "make test-fast   the fast tier only: units, properties, style (no kernel,"
	@echo "                 training, site or browser; see docs/design.md)"
	@echo "make book     build the site into _build/html"
	@echo "make book EDITION=student   the student edition (no solutions, no hidden tests) in _build/student"
	@echo "make lab      open the notebooks in JupyterLab (MyST rendering included)"
	@echo "make pdf      build the PDF edition into _build/pdf/why-convolution.pdf"
	@echo "make execute  re-run notebooks and refresh their committed outputs"
	@echo "make bench    time each notebook against a floor notebook"
	@echo "make bench-site  time clean and incremental site builds; largest page size"
	@echo "make lint     ruff check and ruff format --check on code and notebooks"
	@echo "make exercises       regenerate exercises/ (and the public answers) from solutions/"
	@echo "make bench-grading   grade 30 copies of a correct submission, against a floor"
	@echo "make bench-explorers input-to-figure latency of each explorer in Chromium"
	@echo "make bench-batched   chapter 5's CNN study: batched trainer against one model at a time"

install: $(STAMP)

# On Linux the default index serves PyTorch's CUDA build (several GB of nvidia
# packages); PyTorch's CPU index serves the CPU build (about 200 MB). macOS and
# Windows wheels from the default index are CPU builds already.
# `make install TORCH_INDEX=` keeps the default index on Linux too.
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INDEX ?= $(if $(filter Linux,$(shell uname -s 2>/dev/null)),$(TORCH_CPU_INDEX))

# Rebuilt whenever the pins or the package metadata change. The index probe
# runs with the system Python: it falls back to the default index with a
# message when PyTorch's index cannot be reached.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	torch_options=$$($(PYTHON) scripts/torch_index.py "$(TORCH_INDEX)") && \
	$(BIN)/python -m pip install --quiet $$torch_options -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@# Notebooks saved by JupyterLab without a change stay unchanged for git. The
	@# filter needs only the standard library: the system Python runs it, so git
	@# still works in a checkout whose .venv is gone (or a second worktree).
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git config filter.notebook.clean "$(PYTHON) scripts/notebook_filter.py"; fi
	touch $(STAMP)

# Two test workers share the cores: every process (and every kernel it starts)
# runs PyTorch on one thread. A second thread waiting for a core a neighbour
# keeps busy made one notebook take over ten minutes instead of half a minute.
TEST_THREADS := OMP_NUM_THREADS=1

test: $(STAMP) $(NPM_STAMP)
	$(TEST_THREADS) $(BIN)/python -m pytest -n 2

# Tests marked slow (kernels, training, the site, the browser, grading) are left
# out; conftest.py marks notebook cells and users of the built site itself.
.PHONY: test-fast
test-fast: $(STAMP)
	$(TEST_THREADS) $(BIN)/python -m pytest -m "not slow" -n 2

# `make book EDITION=student`: what a teacher hands to students, in _build/student.
ifeq ($(EDITION),student)
book: $(STAMP) $(NPM_STAMP)
	$(BIN)/python scripts/student_edition.py $(abspath _build/student)
else
book: $(STAMP) $(NPM_STAMP)
	$(BIN)/python scripts/build_site.py
	@echo "The site is in $(abspath _build/html); open $(abspath _build/html/index.html)"
endif

# lab/ is Lab's config folder here: the callout styles (lab/custom/custom.css).
# The course's notebooks are trusted first, so their saved widgets show before
# the cells run. Containers often run as root, which Lab refuses without a flag.
lab: $(STAMP)
	@$(BIN)/jupyter trust $(NOTEBOOKS) $(wildcard exercises/*.ipynb) >/dev/null
	@if [ "$$(id -u)" = 0 ]; then \
	  echo "make lab: running as root (usual in containers): starting JupyterLab with --allow-root"; \
	  root_flag=--allow-root; fi; \
	JUPYTER_CONFIG_DIR=$(abspath lab) $(BIN)/jupyter lab $$root_flag $(LAB_ARGS)

# The PDF edition: the built site printed page by page in Debian's Chromium and
# joined by pdfunite (poppler-utils); no TeX. `make pdf` also puts it in the site.
pdf: book
	$(BIN)/python scripts/build_pdf.py --out _build/pdf/why-convolution.pdf
	cp _build/pdf/why-convolution.pdf _build/html/why-convolution.pdf

execute: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py $(or $(NB),$(NOTEBOOKS))

bench: $(STAMP)
	$(BIN)/python benchmarks/notebook_speed.py $(NOTEBOOKS)

# The student notebooks are generated, never edited by hand.
exercises: $(STAMP)
	$(BIN)/python scripts/author_exercises.py

bench-grading: $(STAMP)
	$(BIN)/python benchmarks/grading_speed.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin requirements.txt from requirements.in in a throwaway environment.
lock:
	rm -rf /tmp/why-convolution-lock
	$(PYTHON) -m venv /tmp/why-convolution-lock
	torch_options=$$($(PYTHON) scripts/torch_index.py "$(TORCH_INDEX)") && \
	/tmp/why-convolution-lock/bin/python -m pip install --quiet $$torch_options -r requirements.in
	{ echo "# Generated by 'make lock' from requirements.in: every package pinned with ==."; \
	  echo "torch==2.13.*"; \
	  /tmp/why-convolution-lock/bin/python -m pip freeze | grep -v -i '^torch=='; } > requirements.txt
	/tmp/why-convolution-lock/bin/python scripts/binder_requirements.py

clean:
	rm -rf _build

# The site's browser libraries (MathJax, require.js, the widget manager, axe-core),
# pinned in package-lock.json; npm writes the stamp file on every install.
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: the site serves MathJax and \
	the widget manager itself, installed with npm. Install Node.js with npm \
	(Debian/Ubuntu: apt-get install -y npm; elsewhere https://nodejs.org), then \
	run make again."; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund

bench-site: $(STAMP) $(NPM_STAMP)
	$(BIN)/python benchmarks/site_speed.py

bench-explorers: $(STAMP) $(NPM_STAMP)
	$(BIN)/python benchmarks/explorer_latency.py

bench-batched: $(STAMP)
	$(BIN)/python benchmarks/batched_training.py
