# mathnn: every target works from a fresh clone; the virtual environment is made on demand.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: test lint format docs translations check-translations browser-test bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.docs-installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[docs]'
	touch $@

## test: install mathnn with its test extra and run doctests + tests/ (fails on any skip)
test: $(VENV)/.test-installed
	$(PY) -m pytest

# ---- lint, format, types (pyproject.toml [tool.ruff], [tool.mypy]; .pre-commit-config.yaml)
$(VENV)/.dev-installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

## lint: ruff check, ruff format --check and mypy on the whole repository (what CI runs)
lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	@# the root conftest.py has the module name of tests/conftest.py: its own run
	$(PY) -m mypy --no-warn-unused-configs conftest.py

## format: apply ruff's safe fixes (import order, ...) and ruff format to the whole repository
format: $(VENV)/.dev-installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf docs/_build .pytest_cache .hypothesis .mypy_cache .ruff_cache

# ---- documentation (docs/conf.py, scripts/docs_*.py, browser_tests/) ------------------
## docs: English then French site, strict (-W -n --keep-going), into docs/_build/html/{en,fr}
docs: $(VENV)/.docs-installed
	$(PY) -m scripts.docs_build

## translations: refresh docs/locales/fr/LC_MESSAGES/*.po from the English pages; report
translations: $(VENV)/.docs-installed
	$(PY) scripts/docs_translations.py update

## check-translations: fail if a page has no .po or a message is untranslated or fuzzy
check-translations: $(VENV)/.docs-installed
	$(PY) scripts/docs_translations.py check

# Playwright's Python package drives Debian's Chromium (apt-get install -y chromium);
# it never downloads a browser of its own (no `playwright install`).
$(VENV)/.browser-installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[browser]'
	touch $@

## browser-test: headless Chromium loads every page of both editions (and follows the PDF links), network blocked
browser-test: $(VENV)/.browser-installed docs pdf
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || { echo "needs Debian's chromium: apt-get install -y chromium"; exit 1; }
	$(PY) -m pytest -q -p no:cacheprovider browser_tests
	$(PY) -m browser_tests.check_site docs/_build/html --screenshots docs/_build/screenshots

## bench: mathnn vs PyTorch CPU (same nets, data, batch, float32, threads); writes docs/_static/bench.json
## needs the test extra (torch) plus scikit-learn and mnist1d (the docs extra)
bench: $(VENV)/.test-installed $(VENV)/.docs-installed
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) -m bench.run

# ---- notebooks (scripts/docs_notebooks.py) --------------------------------------------
.PHONY: notebooks check-notebooks lab

## notebooks: every page with code as a notebook of each edition (made by `make docs`),
## in docs/_build/notebooks/en/ and docs/_build/notebooks/fr/, with one .zip per edition
notebooks: docs
	$(PY) scripts/docs_notebooks.py list

## check-notebooks: run every notebook of both editions in a fresh kernel, each from an
## empty temporary folder; fails on any error
check-notebooks: notebooks
	$(PY) scripts/docs_notebooks.py execute

$(VENV)/.lab-installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[lab]'
	touch $@

## lab: install JupyterLab (extra `lab`) and open it on the notebooks
lab: $(VENV)/.lab-installed notebooks
	$(PY) -m jupyterlab --ServerApp.root_dir=docs/_build/notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# ---- PDF edition (docs/conf.py "PDF edition" block, scripts/docs_pdf.py) -------------
## pdf: English and French PDF books through LaTeX (xelatex, latexmk), checked, into
## docs/_build/pdf/mathnn-{en,fr}.pdf; reuses the execution cache of `make docs`
.PHONY: pdf
pdf: $(VENV)/.docs-installed
	$(PY) -m scripts.docs_pdf

# ---- French catalogues (scripts/check_french.py, docs/glossary.json) ------------------
.PHONY: check-french french-typography glossary

## check-french: typography, glossary terms, math/roles/code identity of every French msgstr
check-french: | $(VENV)/bin/python
	$(PY) scripts/check_french.py check

# make check-translations (run by CI) runs check-french first
check-translations: check-french

## french-typography: put the no-break spaces, quotes and decimal commas of every French msgstr right (idempotent)
french-typography: | $(VENV)/bin/python
	$(PY) scripts/check_french.py fix

## glossary: write the tables of docs/glossary.md from docs/glossary.json, refresh the .po, fill glossary.po
glossary: $(VENV)/.docs-installed
	$(PY) scripts/check_french.py glossary
