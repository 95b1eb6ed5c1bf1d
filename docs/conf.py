"""Sphinx configuration of the mathnn site (English source, French through gettext).

Local build: ``make docs`` (English into _build/html/en, French into _build/html/fr).
ReadTheDocs: see the comment at the top of ``.readthedocs.yaml``.
Nothing here downloads anything at build or view time (MathJax is vendored in _static).
"""

from __future__ import annotations

import importlib.util
import os
import sys
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
ROOT = DOCS.parent
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
# Loaded from its file (a build script of the repository, not part of the package).
_spec = importlib.util.spec_from_file_location(
    "mathnn_docs_notebooks", ROOT / "scripts" / "docs_notebooks.py"
)
assert _spec is not None and _spec.loader is not None
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


# -- PDF edition (LaTeX builder; `make pdf`, ReadTheDocs `formats: [pdf]`) -------
# One book per language: title page, contents, one chapter per page of the site (only
# the index's toctree is taken, toctree_only), API reference and glossary as appendices.
# xelatex: the pages' Unicode (U+202F, U+00A0, accents, arrows) is set in FreeFont,
# and babel-french (chosen by Sphinx for xelatex + fr) does the French typography.
import re  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from sphinx import addnodes  # noqa: E402
from sphinx.writers.latex import LaTeXTranslator  # noqa: E402

latex_engine = "xelatex"
latex_use_xindy = False  # makeindex: the index holds ASCII API names; no xindy package
latex_appendices = ["api", "glossary"]  # reference matter, after the chapters
latex_domain_indices = False  # no separate module index; the general index stays
latex_show_urls = "no"
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "preamble": "\n".join(
        (
            # equations numbered (1), (2), ... in each chapter, as on the page of the site
            r"\AtBeginDocument{\renewcommand{\theequation}{\arabic{equation}}}",
            r"\geometry{headheight=14pt}",  # fancyhdr's page headers at 11pt
            # no table column narrower than a number such as 6.9e-10 (tabulary squeezes
            # short columns beside a long one until their numbers break at the hyphen)
            r"\setlength{\tymin}{5em}",
            # a cell's output on a white ground, under its shaded input (myst-nb's class)
            r"\newenvironment{sphinxclasscell_output}"
            r"{\sphinxsetup{pre_background-TeXcolor={RGB}{255,255,255}}}{}",
            # a solution (sphinx-exercise): its title, then its text indented, unframed
            r"\newenvironment{mathnnsolution}[1]{\par\addvspace{\medskipamount}"
            r"\noindent\sphinxstylestrong{#1}\par\nobreak"
            r"\begin{list}{}{\leftmargin=1.5em\rightmargin=0pt}\item\relax}"
            r"{\end{list}\par\addvspace{\medskipamount}}",
        )
    ),
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
}
PDF_AUTHORS = {"en": author, "fr": "les auteurs de mathnn"}


def _book_title(language: str) -> str:
    """The index's title, translated through index.po for a language other than English."""
    lines = (DOCS / f"{root_doc}.md").read_text(encoding="utf-8").splitlines()
    title = next(line[2:].strip() for line in lines if line.startswith("# "))
    po = DOCS / "locales" / language / "LC_MESSAGES" / f"{root_doc}.po"
    if language != "en" and po.exists():
        from babel.messages.pofile import read_po

        with po.open("rb") as handle:
            message = read_po(handle).get(title)
        if message is not None and isinstance(message.string, str) and not message.fuzzy:
            title = message.string or title
    return title


def _latex_documents_for_language(app: Sphinx, config: Config) -> None:
    language = config.language or DEFAULT_LANGUAGE
    config.latex_documents = [
        (
            root_doc,
            f"mathnn-{language}.tex",
            _book_title(language),
            PDF_AUTHORS.get(language, author),
            "manual",
            True,  # toctree_only
        )
    ]


def _assemble_book(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fixes of the book that the LaTeX builder assembles from the index.

    The API page is both in the index's toctree (site) and an appendix (book); the
    builder inlines every toctree entry into the main matter, then appends the
    appendices: drop the inlined copy, so that the API reference comes once, last.
    The index's own text is not in the book (toctree_only): its labels (a link "back
    to the start") point to the table of contents instead. Long tables may break
    across pages; French spaces are made unbreakable.
    """
    if app.builder.format != "latex" or docname != root_doc:
        return
    for node in list(doctree.findall(addnodes.start_of_file)):
        if node.get("docname") in app.config.latex_appendices:
            node.parent.remove(node)
    labels = app.env.domains.standard_domain.labels
    targets = "".join(
        rf"\protect\phantomsection\protect\label{{\detokenize{{{root_doc}:{labelid}}}}}"
        for label_doc, labelid, _ in labels.values()
        if label_doc == root_doc
    )
    if targets:
        doctree.insert(0, nodes.raw("", rf"\addtocontents{{toc}}{{{targets}}}", format="latex"))
    for table in doctree.findall(nodes.table):
        # a tabulary cannot break across pages: a table of many (wrapped) rows that is
        # not inside another block becomes a longtable, which can
        rows = sum(1 for _ in table.findall(nodes.row))
        nested = any(
            isinstance(parent, (nodes.Admonition, nodes.list_item, nodes.table))
            for parent in _ancestors(table)
        )
        if rows > LONGTABLE_ROWS and not nested:
            table["classes"].append("longtable")
    if app.config.language == "fr":
        _french_spaces(doctree)


LONGTABLE_ROWS = 20  # Sphinx itself switches at 30, which lets a tall table overflow


# A space typed inside « » or before ; : ! ? is a breakable space for babel-french under
# XeTeX (a line may start with » or end with «); U+202F is the narrow no-break space
# that French typography wants there and that babel-french leaves alone.
_FRENCH_SPACES = (
    (re.compile(r"« +"), "«\u202f"),
    (re.compile(r"(?<!\s) +(?=[»;:!?])"), "\u202f"),
)
_NOT_PROSE = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw)


def _french_spaces(doctree: nodes.document) -> None:
    for text in list(doctree.findall(nodes.Text)):
        if any(isinstance(parent, _NOT_PROSE) for parent in _ancestors(text)):
            continue
        new = str(text)
        for pattern, replacement in _FRENCH_SPACES:
            new = pattern.sub(replacement, new)
        if new != str(text):
            text.parent.replace(text, nodes.Text(new))


def _ancestors(node: nodes.Node) -> Iterator[nodes.Element]:
    while node.parent is not None:
        node = node.parent
        yield node


def _visit_solution_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    """A solution in the book: no frame around it, so that its code cells break.

    sphinx-exercise sets a solution in a note admonition; a code cell and its output
    inside a frame cannot break across pages (LaTeX's framed boxes nest badly), and a
    long one ran past the bottom of the page. Same label as sphinx-exercise's.
    """
    registry: dict[str, Any] = vars(self.builder.env)["sphinx_exercise_registry"]
    target = registry[node["label"]]
    self.body.append(
        f"\n\\phantomsection \\label{{{target.get('docname')}:{node['label']}}}\n"
        "\\begin{mathnnsolution}"  # its title node writes the argument {...}
    )


def _depart_solution_latex(self: LaTeXTranslator, node: nodes.Element) -> None:
    self.body.append("\\end{mathnnsolution}\n")


def _pdf_url(app: Sphinx, pagename: str) -> str:
    """Where the PDF of this edition is, relative to the page.

    Local: docs/_build/html/<lang>/_downloads/mathnn-<lang>.pdf (copied by `make pdf`).
    ReadTheDocs: the project's download, /_/downloads/<lang>/<version>/pdf/; none on a
    pull-request build, for which RTD builds no PDF (empty: the page has no link).
    """
    language = app.config.language or DEFAULT_LANGUAGE
    if os.environ.get("READTHEDOCS_VERSION_TYPE") == "external":
        return ""
    if os.environ.get("READTHEDOCS") == "True":
        rtd_language = os.environ.get("READTHEDOCS_LANGUAGE", language)
        rtd_version = os.environ.get("READTHEDOCS_VERSION", "latest")
        canonical = urlsplit(os.environ.get("READTHEDOCS_CANONICAL_URL", ""))
        origin = f"{canonical.scheme}://{canonical.netloc}" if canonical.netloc else ""
        return f"{origin}/_/downloads/{rtd_language}/{rtd_version}/pdf/"
    return "../" * pagename.count("/") + f"_downloads/mathnn-{language}.pdf"


PDF_LINK_TITLES = {"en": "This site as a PDF book", "fr": "Ce site en livre PDF"}


def _add_pdf_link(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    language = app.config.language or DEFAULT_LANGUAGE
    context["mathnn_pdf_url"] = _pdf_url(app, pagename)
    context["mathnn_pdf_title"] = PDF_LINK_TITLES.get(language, PDF_LINK_TITLES[DEFAULT_LANGUAGE])


def _setup_pdf_edition(app: Sphinx) -> None:
    if "sphinx_exercise" in app.extensions:
        from sphinx_exercise.nodes import solution_node

        app.add_node(
            solution_node,
            override=True,
            latex=(_visit_solution_latex, _depart_solution_latex),
        )
    app.connect("config-inited", _latex_documents_for_language)
    app.connect("doctree-resolved", _assemble_book)
    app.connect("html-page-context", _add_pdf_link)


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
    _setup_pdf_edition(app)
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
