# RNNs from Scratch: every command a reader, an instructor or CI needs.
#   make book   set up .venv and build the HTML book
#   make test   set up .venv and run every test (unit, property, notebooks, book build)
# Set-up is shared: .venv is made once and reused while requirements.txt and pyproject.toml are unchanged.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed
# one BLAS thread and one OpenBLAS kernel family, so stored outputs reproduce bit for bit on any
# x86-64 machine (why: course/reproducible.py, which sets the same for Python entry points)
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export OPENBLAS_CORETYPE := Haswell
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test unit lint pdf lab bench execute exercises grade solutions-book clean help
.DEFAULT_GOAL := help

help:
	@echo "make book       build the HTML book into _build/html"
	@echo "make test       run the whole test suite (what CI runs)"
	@echo "make unit       engine and grader unit tests only (under a minute), for the edit-test loop"
	@echo "make lint       ruff over the code"
	@echo "make pdf        build a printable PDF of the book (needs TeX Live: scripts/pdf_setup.sh)"
	@echo "make lab        open the course in JupyterLab"
	@echo "make bench      time the engine against hand-written numpy"
	@echo "make execute    re-execute every notebook in place (refresh stored outputs)"
	@echo "make exercises  regenerate the student exercise notebooks from their sources"
	@echo "make grade      grade your own exercise notebooks"
	@echo "make grade SUBMISSIONS=folder  (instructors) grade a class, each submission in a sandbox"
	@echo "make solutions-book  (instructors) a separate, unpublished build with the solutions"

$(READY): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "RNNs from Scratch needs Python 3.11 or newer; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

book: $(READY)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

test: $(READY) lint
	scripts/sandbox_setup.sh
	$(BIN)/python -m pytest -n 2 --dist loadfile -p no:cacheprovider \
	    --nbval --nbval-sanitize-with tests/sanitize.cfg --nbval-current-env \
	    --ignore=tests/browser tests book exercises grader/solutions
	$(BIN)/jupyter-book build . -W -n --keep-going --all
	scripts/browser_setup.sh
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider tests/browser

unit: $(READY)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider -q tests --ignore=tests/browser

lint: $(READY)
	$(BIN)/ruff check .

pdf: $(READY)
	scripts/pdf_setup.sh
	$(BIN)/jupyter-book build . --builder pdflatex
	@echo "The PDF is at $(CURDIR)/_build/latex/rnns-from-scratch.pdf"

lab: $(READY)
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(if $(filter 0,$(shell id -u)),--allow-root) book/intro.md

bench: $(READY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run.py

execute: $(READY)
	$(BIN)/python -m scripts.execute_notebooks

solutions-book: $(READY)
	$(BIN)/python -m scripts.solutions_book

exercises: $(READY)
	$(BIN)/python -m grader.build

grade: $(READY)
ifdef SUBMISSIONS
	scripts/sandbox_setup.sh
	$(BIN)/python -m grader $(SUBMISSIONS) --sandbox require
else
	$(BIN)/python -m grader.grade exercises/*.ipynb
endif

clean:
	rm -rf _build .pytest_cache .hypothesis
