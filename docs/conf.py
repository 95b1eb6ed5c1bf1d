"""Sphinx configuration of the mathnn site (English source, French through gettext).

Local build: ``make docs`` (English into _build/html/en, French into _build/html/fr).
ReadTheDocs: see the comment at the top of ``.readthedocs.yaml``.
Nothing here downloads anything at build or view time (MathJax is vendored in _static).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from docutils import nodes
from docutils.transforms import Transform
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

import mathnn  # installed (pip install -e '.[docs]'): pages import it the same way

DOCS = Path(__file__).resolve().parent
_logger = logging.getLogger("mathnn.conf")

# -- Project ------------------------------------------------------------------
project = "mathnn"
author = "the mathnn authors"
copyright = "2026, the mathnn authors"
release = version = mathnn.__version__  # from the package metadata (pyproject.toml)

extensions = [
    "myst_nb",
    "sphinx.ext.mathjax",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
# No sphinx.ext.intersphinx: it downloads inventories at build time.
# No sphinx.ext.viewcode: its [docs] back-links break for objects reached both as
# mathnn.X and mathnn.conv.X (e.g. mathnn.conv.output_length), caught by browser-test.

exclude_patterns = ["_build", "locales", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
root_doc = "index"
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}

# -- MyST / myst-nb -----------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_dmath_double_inline = True
myst_heading_anchors = 3

nb_execution_mode = "cache"
# One cache for both languages: the French build reuses the English execution.
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# -- Notebooks of the pages, copy buttons (issue 10) --------------------------
# scripts/docs_notebooks.py writes every page with code as a notebook of its edition
# into _build/notebooks/<language>/ and the HTML output's notebooks/ folder, with a
# link under each page's title and the edition's archive on the index.
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "mathnn_docs_notebooks", ROOT / "scripts" / "docs_notebooks.py"
)
docs_notebooks = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = docs_notebooks  # dataclasses look their module up there
_spec.loader.exec_module(docs_notebooks)

extensions.append("sphinx_copybutton")
# input cells and code blocks only: outputs (myst-nb's div.output) are not copied
copybutton_selector = "div:not(.output) > div.highlight > pre"
copybutton_exclude = ".linenos, .gp, .go"
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True


# -- Autodoc / napoleon (numpydoc) --------------------------------------------
autodoc_typehints = "none"  # types live in the numpydoc sections, not in signatures
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_custom_sections = ["Shapes"]

# Strict build (-n): numpydoc type strings such as "ndarray of shape (N, d)" and the
# numpy / typing names cannot resolve without intersphinx; mathnn names must resolve.
nitpicky = True


# Ignore unresolved names that are not mathnn's; a bare public name such as `Linear`
# still fails, so pages must write `mathnn.Linear` (or `~mathnn.Linear`).
_OWN = "|".join(name for name in mathnn.__all__ if name.isidentifier())
_NOT_MATHNN = r"(?!mathnn\b)" + (rf"(?!(?:{_OWN})$)" if _OWN else "") + r".*"
nitpick_ignore_regex = [
    (r"py:(class|obj|data|func|meth|attr|exc)", r"(np|numpy|typing|collections)\..*"),
    (r"py:(class|obj|data)", _NOT_MATHNN),
    (r"py:(class|obj)", r"mathnn(\.\w+)*\._\w+"),  # private bases (show-inheritance)
]

# -- i18n ---------------------------------------------------------------------
language = "en"
locale_dirs = ["locales/"]
gettext_compact = False  # one .po per page
gettext_uuid = False
gettext_location = False  # no "#: file:line" comments: no churn in the .po files
gettext_last_translator = "mathnn authors"
gettext_language_team = "French"

LANGUAGES = {"en": "English", "fr": "Français"}

# -- HTML ---------------------------------------------------------------------
html_theme = "sphinx_rtd_theme"
html_static_path = ["_static"]
html_css_files = ["mathnn.css"]
html_title = "mathnn"
html_show_sourcelink = False
html_show_sphinx = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "navigation_depth": 2,
    "collapse_navigation": False,
    "prev_next_buttons_location": "bottom",
    "style_external_links": False,
}

# MathJax 3.2.2 vendored from the npm package (es5/ subset), so math renders offline.
# Fonts and extensions are found next to tex-chtml.js ([mathjax] = its folder).
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {
    "loader": {"load": []},
    "tex": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": False,
        "tags": "none",  # Sphinx numbers labelled equations itself
    },
    "options": {
        # only Sphinx's math nodes (and notebook outputs) are typeset; stray $$ stays
        # visible as raw text, so the browser test can catch it
        "ignoreHtmlClass": "tex2jax_ignore|mathjax_ignore|document",
        "processHtmlClass": "tex2jax_process|mathjax_process|math|output_area",
        "menuOptions": {"settings": {"assistiveMml": True, "explorer": False}},
    },
    "chtml": {"matchFontHeight": False},
}


# -- Math blocks are not translatable -----------------------------------------
class MathBlocksNotTranslatable(Transform):
    """Keep display math out of the .pot and out of the translation pass.

    A translated display-math block renders as ``::`` instead of the formula
    (MyST-Parser issues #444, #980); formulas are shared by both languages.
    Runs before sphinx.transforms.i18n.Locale (priority 20).
    """

    default_priority = 5

    def apply(self, **kwargs: object) -> None:
        for node in self.document.findall(nodes.math_block):
            node["translatable"] = False


# -- ReadTheDocs: canonical links, hreflang alternates, language switch ------------
# On ReadTheDocs each edition is a project of its own on this repository: "mathnn"
# (English) and its translation "mathnn-fr" (built with -D language=fr), both served
# from the English project's domain at /<lang>/<version>/ (see .readthedocs.yaml).
# RTD sets READTHEDOCS_CANONICAL_URL to the base of the version being built, e.g.
# https://mathnn.readthedocs.io/fr/latest/. From it every page gets
#   - <link rel="canonical"> (html_baseurl; written by Sphinx and the theme);
#   - absolute hreflang alternates: one per edition (itself included) and x-default
#     (English), the edition's URL being the canonical one with /<lang>/ swapped;
#   - the language switch, to the same page of the other edition at that URL.
# A local build has no base URL (unless given one: -D html_baseurl=<url>/en/latest/):
# no canonical link, no alternates, and the switch links relatively between
# _build/html/en and _build/html/fr.
# Pull-request builds (READTHEDOCS_VERSION_TYPE == "external") are served at a preview
# URL of their own, and no translation is built for them: there the switch and the
# alternates are left out (a link would lead to another version's text), the
# canonical link stays.
DEFAULT_LANGUAGE = "en"  # hreflang="x-default"
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", "")
PULL_REQUEST_BUILD = os.environ.get("READTHEDOCS_VERSION_TYPE") == "external"
# sphinx-rtd-theme 3 fills its own language menu on RTD (top of the sidebar) with
# links to each translation's root page; the switch below goes to the same page.
html_theme_options["language_selector"] = False


def _edition_bases(app: Sphinx) -> dict[str, str]:
    """Base URL of every edition, from html_baseurl (the base of the current one).

    ``https://host/fr/latest/`` gives ``{"en": "https://host/en/latest/",
    "fr": "https://host/fr/latest/"}``; empty without a base URL.
    """
    base = app.config.html_baseurl
    current = app.config.language or DEFAULT_LANGUAGE
    if not base:
        return {}
    parts = urlsplit(base if base.endswith("/") else base + "/")
    segments = parts.path.split("/")
    if current not in segments:
        _logger.warning(
            "html_baseurl %r has no /%s/ segment: no hreflang alternates or language "
            "switch can be derived from it",
            base,
            current,
        )
        return {}
    where = segments.index(current)
    return {
        code: urlunsplit(
            parts._replace(path="/".join([*segments[:where], code, *segments[where + 1 :]]))
        )
        for code in LANGUAGES
    }


def _relative_edition_url(pagename: str, other: str) -> str:
    """Local build: _build/html/<lang>/<page>.html -> ../<other>/<page>.html."""
    return "../" * (pagename.count("/") + 1) + f"{other}/{pagename}.html"


def _add_language_links(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Template context: the switch (``mathnn_language_links``) and the alternates."""
    current = app.config.language or DEFAULT_LANGUAGE
    context["mathnn_language"] = current
    context["mathnn_language_label"] = LANGUAGES.get(current, current)
    context["mathnn_language_links"] = []
    context["mathnn_alternates"] = []
    if PULL_REQUEST_BUILD:
        return
    bases = _EDITION_BASES
    target = app.builder.get_target_uri(pagename)
    for code, label in LANGUAGES.items():
        if code != current:
            url = bases[code] + target if bases else _relative_edition_url(pagename, code)
            context["mathnn_language_links"].append({"code": code, "label": label, "url": url})
    if bases:
        context["mathnn_alternates"] = [
            *({"hreflang": code, "href": bases[code] + target} for code in LANGUAGES),
            {"hreflang": "x-default", "href": bases[DEFAULT_LANGUAGE] + target},
        ]


_EDITION_BASES: dict[str, str] = {}  # filled once the builder starts


def _store_edition_bases(app: Sphinx) -> None:
    _EDITION_BASES.clear()
    _EDITION_BASES.update(_edition_bases(app))


# -- French edition: labels of the theme and of the extensions ---------------------------
# Labels of Sphinx, sphinx-rtd-theme and docs/_templates are translated in
# locales/fr/LC_MESSAGES/sphinx.po, which Sphinx reads before its own French catalogue
# and the theme's. What no catalogue reaches is set here, for the French build only;
# the language comes from -D language=fr, so it is read once the config is complete.
# Each part does nothing when its extension is not loaded.
FRENCH_COPYRIGHT = "2026, les auteurs de mathnn"
# The catalogues put U+202F before ; : ! ? and inside « »; pdflatex does not know it
# (« Unicode character U+202F not set up »). As a skip, babel-french's active ; : ! ?
# replace it by their own space instead of adding one. Appended to the LaTeX block's
# preamble; ignored by xelatex/lualatex, where U+202F is a character of the font.
FRENCH_LATEX_PREAMBLE = r"""
\ifdefined\DeclareUnicodeCharacter
  \DeclareUnicodeCharacter{202F}{\nobreak\hskip.5\fontdimen2\font\relax}
\fi
"""


def _french_config(app: Sphinx, config: Config) -> None:
    if config.language != "fr":
        return
    config.copyright = FRENCH_COPYRIGHT
    latex = dict(config.latex_elements)
    latex["preamble"] = latex.get("preamble", "") + FRENCH_LATEX_PREAMBLE
    config.latex_elements = latex
    # myst-nb's toggle of a hidden cell ("Show code cell source")
    config.nb_code_prompt_show = "Afficher la cellule"
    config.nb_code_prompt_hide = "Masquer la cellule"


def _french_builder(app: Sphinx) -> None:
    if app.config.language != "fr":
        return
    if "sphinx_copybutton" in app.extensions:
        # sphinx-copybutton is French by itself (<html lang="fr">); this fixes its
        # « Copié ! » (U+202F before "!") and « presse-papiers »; loaded after copybutton.js
        app.add_js_file("mathnn-copybutton-fr.js", priority=501)


def _french_solution_titles(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """sphinx-exercise titles a solution « Solution de Exercice 3 »: write « de l'exercice »."""
    if app.config.language != "fr" or "sphinx_exercise" not in app.extensions:
        return
    from sphinx_exercise.nodes import solution_node

    for solution in doctree.findall(solution_node):
        for title in solution.findall(nodes.title):
            for text in list(title.findall(nodes.Text)):
                if text.astext().endswith("Solution de"):
                    text.parent.replace(text, nodes.Text(text.astext() + " l'"))
                elif text.astext().startswith(" Exercice"):
                    text.parent.replace(text, nodes.Text("exercice" + text.astext()[9:]))


# Labels of docs/_templates, in a page-context variable rather than _(): a _() in the
# project's templates would make the gettext builder write a sphinx.pot, and then
# sphinx-intl would manage (and empty) locales/fr/LC_MESSAGES/sphinx.po.
TEMPLATE_LABELS = {
    "en": {"home": "Home", "language": "Language"},
    "fr": {"home": "Accueil", "language": "Langue"},
}


def _template_labels(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    context["mathnn_labels"] = TEMPLATE_LABELS.get(app.config.language, TEMPLATE_LABELS["en"])


def _setup_french(app: Sphinx) -> None:
    app.connect("html-page-context", _template_labels)
    app.connect("config-inited", _french_config)
    app.connect("builder-inited", _french_builder)
    app.connect("doctree-resolved", _french_solution_titles)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(MathBlocksNotTranslatable)
    app.connect("builder-inited", _store_edition_bases)
    app.connect("html-page-context", _add_language_links)
    _setup_french(app)
    docs_notebooks.setup_sphinx(app)  # notebooks (issue 10)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


smartquotes = False  # "d'" in shapes (d prime) must stay a prime in both languages


# -- Exercises (sphinx-exercise, sphinx-togglebutton) --------------------------
# Each derivation page ends with a section "Exercises". The exercise titles are bold
# lead-ins inside the body: sphinx-exercise 1.2 hides a directive-argument title from
# gettext (executablebooks/sphinx-exercise pull request 83), so French would keep it
# English. Solutions with an executed cell use the gated {solution-start} and
# {solution-end}; every solution has `:class: dropdown`, collapsed by sphinx-togglebutton.
extensions += ["sphinx_exercise", "sphinx_togglebutton"]
exercise_style = "solution_follow_exercise"  # title "Solution", right after its exercise
togglebutton_selector = ".admonition.dropdown"  # only the solutions
html_css_files += ["exercises.css"]  # colours and icons that fit sphinx-rtd-theme
# sphinx-exercise turns numfig on, exercises are numbered through the site; keep the
# equations numbered page by page, as before.
math_numfig = False


def _unique_exercise_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Drop the id that sphinx-exercise gives the body of every exercise and solution.

    It is the same for all of them ("exercise-content", "solution-content"), so a page
    with several exercises repeats an HTML id; nothing links to it.
    """
    for section in doctree.findall(nodes.section):
        if section["ids"] in (["exercise-content"], ["solution-content"]):
            section["classes"].append(section["ids"].pop())


_setup_without_exercises = setup


def setup(app: Sphinx) -> dict[str, Any]:  # type: ignore[no-redef]  # extends the one above
    metadata = _setup_without_exercises(app)
    app.connect("doctree-resolved", _unique_exercise_ids)
    return metadata
