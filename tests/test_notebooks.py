"""The page-to-notebook converter of the docs (scripts/docs_notebooks.py) on a small page."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "docs_notebooks_under_test", ROOT / "scripts" / "docs_notebooks.py"
)
assert _spec is not None and _spec.loader is not None
nbc = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = nbc
_spec.loader.exec_module(nbc)

PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

(page-sample)=
# A sample page

The gradient of {py:class}`mathnn.Linear` has the shape of $W$; see {ref}`page-other`.

```{code-cell} ipython3
:tags: [remove-cell]
import numpy as np
```

$$
z = x W
$$ (eq-sample)

| symbol | meaning |
|---|---|
| $W$ | weights |

```{code-cell} ipython3
print(np.ones(3).shape)
```

:::{warning}
**Common slip.** Equation {eq}`eq-sample` is not $W x$.
:::

```{code-cell} ipython3
:tags: [raises-exception]
np.ones((2, 3)) @ np.ones((2, 3))
```

```{exercise} Shapes of $W$
:label: sample-ex

Give the shape of $W$.
```

```{solution-start} sample-ex
:class: dropdown
```

The shape is that of the weights.

```{code-cell} ipython3
print("d x d'")
```

```{solution-end}
```
"""

FRENCH = {
    "A sample page": "Une page d'exemple",
    "The gradient of {py:class}`mathnn.Linear` has the shape of $W$; see {ref}`page-other`.":
        "Le gradient de {py:class}`mathnn.Linear` a la forme de $W$ ; voir {ref}`page-other`.",
    "symbol": "symbole",
    "meaning": "sens",
    "$W$": "$W$",
    "weights": "poids",
    "**Common slip.** Equation {eq}`eq-sample` is not $W x$.":
        "**Erreur fréquente.** L'équation {eq}`eq-sample` n'est pas $W x$.",
    "Shapes of $W$": "Formes de $W$",
    "Give the shape of $W$.": "Donner la forme de $W$.",
    "The shape is that of the weights.": "La forme est celle des poids.",
}  # fmt: skip


def _po(tmp_path: Path, messages: dict[str, str], fuzzy: tuple[str, ...] = ()) -> Path:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="fr")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    path = tmp_path / "sample.po"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return path


@pytest.fixture
def page(tmp_path: Path) -> nbformat.NotebookNode:
    source = tmp_path / "sample.md"
    source.write_text(PAGE, encoding="utf-8")
    notebook = nbc.read_page(source, cache=None)
    for cell in notebook.cells:  # what the execution cache would hold
        if cell.cell_type == "code" and "shape" in cell.source:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="(3,)\n")]
    return notebook


RESOLVER = nbc.Resolver(
    labels={"page-other": ("other", "page-other", "Autre page"),
            "page-sample": ("sample", "page-sample", "A sample page")},
    titles={"other": "Autre page", "sample": "A sample page"},
    equations={"eq-sample": ("sample", 1)},
    notebooks={"other", "sample"},
    exercises={"sample-ex": "4"},
)  # fmt: skip


def _markdown(notebook: nbformat.NotebookNode) -> str:
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def test_notebook_french_prose_from_the_catalogue(page, tmp_path):
    catalog = nbc.Catalog.read(_po(tmp_path, FRENCH))
    notebook = nbc.convert(page, "sample", "fr", RESOLVER, catalog.translate)
    text = _markdown(notebook)
    assert catalog.problems == []
    assert set(catalog.messages) == catalog.used  # every message of the page was met
    assert "# Une page d'exemple" in text
    linked = "Le gradient de `mathnn.Linear` a la forme de $W$ ; voir [Autre page](other.ipynb)"
    assert linked in text
    assert "| $W$ | poids |" in text
    assert "**Avertissement**" in text and "L'équation (1) n'est pas $W x$." in text
    assert "Exercice 4 (Formes de $W$)" in text and "Solution de l'exercice 4" in text
    for english in ("A sample page", "weights", "Common slip", "Give the shape"):
        assert english not in text


def test_notebook_untranslated_message_is_reported(page, tmp_path):
    messages = dict(FRENCH)
    del messages["weights"]
    catalog = nbc.Catalog.read(_po(tmp_path, messages, fuzzy=("symbol",)))
    nbc.convert(page, "sample", "fr", RESOLVER, catalog.translate)
    assert any("untranslated or missing: 'weights'" in p for p in catalog.problems)
    assert any("fuzzy: 'symbol'" in p for p in catalog.problems)


def test_notebook_setup_cells_marked_and_outputs_kept(page):
    notebook = nbc.convert(page, "sample", "en", RESOLVER)
    cells = notebook.cells
    setup = next(i for i, c in enumerate(cells) if "remove-cell" in c.metadata.get("tags", []))
    assert "setup" in cells[setup].metadata["tags"]
    assert cells[setup - 1].cell_type == "markdown" and "Set-up cell" in cells[setup - 1].source
    printed = next(c for c in cells if c.cell_type == "code" and "np.ones(3)" in c.source)
    assert printed.outputs[0]["text"] == "(3,)\n"


def test_notebook_myst_becomes_jupyter_markdown(page):
    notebook = nbc.convert(page, "sample", "en", RESOLVER)
    text = _markdown(notebook)
    assert "{" + "py:class}" not in text and "{eq}" not in text and "(page-sample)=" not in text
    assert "\\tag{1}\n$$" in text
    assert '<div class="alert alert-warning">' in text
    solution = [c for c in notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solution) == 1 and solution[0].metadata["jupyter"]["source_hidden"] is True
    assert "<details>\n<summary>Solution to Exercise 4</summary>" in text
    exercise = text.index("**Exercise 4 (Shapes of $W$)**")
    assert text.rfind("<details>", 0, exercise) == -1  # the statement is not collapsed
    assert "**Solution to Exercise 4.** The cells of the solution are collapsed" in text
    assert "solution-end" not in text and "solution-start" not in text


def test_notebook_unknown_directive_fails(page):
    page.cells[0].source += "\n\n```{glossary}\nterm\n```\n"
    with pytest.raises(nbc.NotebookError, match="glossary"):
        nbc.convert(page, "sample", "en", RESOLVER)


@pytest.mark.slow
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel(page, tmp_path):
    notebook = nbc.convert(page, "sample", "en", RESOLVER)
    path = tmp_path / "sample.ipynb"
    nbformat.write(notebook, path)
    count, _, failures = nbc.execute([path])
    assert (count, failures) == (1, [])
