"""Every page with code as a Jupyter notebook, in the language of its edition.

A notebook holds the page's prose (French from the page's .po catalogue in the French
edition), every code cell, the set-up cells hidden on the site included (marked as such),
and the outputs of the build, taken from the execution cache that myst-nb fills
(docs/_build/.jupyter_cache). MyST that Jupyter does not know becomes plain Markdown:
roles become code or links between the notebooks, admonitions and exercises become
boxes, solutions are collapsed, labelled equations get their number as ``\\tag``.
A message of a French page that the catalogue does not translate is an error, never a
silent English paragraph.

The Sphinx build calls :func:`setup_sphinx` (docs/conf.py): each HTML page with code gets
a link to its notebook under its title, the index a link to the archive of the edition,
and the build writes docs/_build/notebooks/<language>/ and copies it into the HTML output.

    python scripts/docs_notebooks.py list                 # what the last build wrote
    python scripts/docs_notebooks.py execute [--language en --language fr]
        # run every notebook in a fresh kernel, each in an empty temporary folder
"""

from __future__ import annotations

import argparse
import copy
import itertools
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

# nbformat's constructors and file functions have no annotations: their types, stated once.
new_notebook: Callable[[], nbformat.NotebookNode] = nbformat.v4.new_notebook
new_markdown_cell: Callable[[str], nbformat.NotebookNode] = nbformat.v4.new_markdown_cell
read_notebook: Callable[[Path, int], nbformat.NotebookNode] = nbformat.read  # (path, as_version)
write_notebook: Callable[[nbformat.NotebookNode, Path], None] = nbformat.write

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
NOTEBOOKS = BUILD / "notebooks"
CACHE = BUILD / ".jupyter_cache"
LOCALES = DOCS / "locales"
HTML_FOLDER = "notebooks"  # inside each edition's HTML output
ARCHIVE = "mathnn-notebooks-{language}.zip"
MYST_EXTENSIONS = ("dollarmath", "amsmath", "colon_fence")

NNBSP = "\u202f"  # narrow no-break space, before ; : ! ? in French
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "download": "Download this page as a notebook (.ipynb)",
        "archive": "Download all the notebooks of this edition (.zip)",
        "about": "*A page of the mathnn site as a notebook, with the outputs of the site's "
        "build. It runs in any folder where `mathnn[docs]` is installed.*",
        "setup": "*Set-up cell, hidden on the site: run it first.*",
        "raises": "# This cell raises on purpose; try/except lets “Run all” go on.",
        "inlined": "# {path} is copied into this cell, so that it runs in any folder.",
        "exercise": "Exercise {n}",
        "solution": "Solution to Exercise {n}",
        "solution_cells": "The cells of the solution are collapsed: click the bar on the "
        "left of a cell to show it.",
        "attention": "Attention",
        "caution": "Caution",
        "danger": "Danger",
        "error": "Error",
        "hint": "Hint",
        "important": "Important",
        "note": "Note",
        "seealso": "See also",
        "tip": "Tip",
        "warning": "Warning",
    },
    "fr": {
        "download": "Télécharger cette page au format notebook Jupyter (.ipynb)",
        "archive": "Télécharger tous les notebooks de cette édition (.zip)",
        "about": "*Une page du site mathnn sous forme de notebook, avec les sorties "
        "calculées lors de la construction du site. Il s'exécute dans n'importe quel "
        "dossier où `mathnn[docs]` est installé.*",
        "setup": f"*Cellule de préparation, masquée sur le site{NNBSP}: à exécuter en premier.*",
        "raises": "# Cette cellule lève une erreur à dessein ; try/except laisse "
        "« Run all » continuer.".replace(" ;", f"{NNBSP};")
        .replace("« ", f"«{NNBSP}")
        .replace(" »", f"{NNBSP}»"),
        "inlined": "# {path} est recopié dans cette cellule, qui s'exécute ainsi dans "
        "n'importe quel dossier.",
        "exercise": "Exercice {n}",
        "solution": "Solution de l'exercice {n}",
        "solution_cells": f"Les cellules de la solution sont repliées{NNBSP}: cliquer "
        "sur la barre à gauche d'une cellule pour l'afficher.",
        "attention": "Attention",
        "caution": "Prudence",
        "danger": "Danger",
        "error": "Erreur",
        "hint": "Indication",
        "important": "Important",
        "note": "Note",
        "seealso": "Voir aussi",
        "tip": "Astuce",
        "warning": "Avertissement",
    },
}
ADMONITIONS = {
    "attention", "caution", "danger", "error", "hint", "important", "note", "seealso",
    "tip", "warning",
}  # fmt: skip
ALERT_CLASS = {
    "warning": "warning",
    "caution": "warning",
    "attention": "warning",
    "danger": "danger",
    "error": "danger",
    "tip": "success",
    "hint": "success",
}
# directives whose argument is a translatable title
TITLED = {"admonition", "exercise", "exercise-start", "dropdown", "topic"}
# directives whose body is prose (translated and converted)
PROSE = ADMONITIONS | TITLED | {"solution"}
# directives shown as they are or dropped, never translated
VERBATIM = {
    "math",
    "literalinclude",
    "code-block",
    "code",
    "toctree",
    "solution-start",
    "solution-end",
    "exercise-end",
}
GATES = {"solution-start", "solution-end", "exercise-start", "exercise-end"}
ROLE = re.compile(r"\{(?P<role>[a-z][\w:+-]*)\}`(?P<body>[^`]+)`")
TARGET = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$", re.S)
STATIC_READ = re.compile(r"""Path\(["'](?P<path>_static/[^"']+)["']\)\.read_text\(\)""")
FORBIDDEN_CODE = ("sys.path", "Path.cwd().parent", "import bench", "from bench")


class NotebookError(Exception):
    """A page that cannot become a faithful notebook; the message lists every problem."""


# --------------------------------------------------------------------------- parsing
def _md_parser() -> Any:
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(enable_extensions=set(MYST_EXTENSIONS), dmath_double_inline=True)
    return create_md_parser(config, RendererHTML)


_PARSER: Any = None


def _tokens(text: str) -> list[Any]:
    global _PARSER
    if _PARSER is None:
        _PARSER = _md_parser()
    return list(_PARSER.parse(text + "\n"))


@dataclass
class Directive:
    """A fenced MyST directive: ``name``, ``argument``, ``options`` and ``body`` lines."""

    fence: str
    name: str
    argument: str
    option_lines: list[str]
    options: dict[str, str]
    body: list[str]
    closed: bool

    @classmethod
    def parse(cls, lines: list[str]) -> Directive:
        opening = lines[0]
        match = re.match(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[^}]+)\}\s*(?P<arg>.*)$", opening)
        if match is None:
            raise NotebookError(f"not a directive: {opening!r}")
        fence = match["fence"]
        closed = len(lines) > 1 and lines[-1].strip() == fence
        inner = lines[1:-1] if closed else lines[1:]
        option_lines: list[str] = []
        options: dict[str, str] = {}
        if inner and inner[0].strip() == "---":
            end = next(i for i in range(1, len(inner)) if inner[i].strip() == "---")
            option_lines = inner[: end + 1]
            import yaml

            loaded = yaml.safe_load("\n".join(inner[1:end])) or {}
            options = {str(k): str(v) for k, v in loaded.items()}
            inner = inner[end + 1 :]
        else:
            while inner and re.match(r"^:[\w-]+:", inner[0]):
                key, _, value = inner[0][1:].partition(":")
                options[key] = value.strip()
                option_lines.append(inner.pop(0))
        return cls(
            fence, match["name"].strip(), match["arg"].strip(), option_lines, options, inner, closed
        )

    def lines(self) -> list[str]:
        arg = f" {self.argument}" if self.argument else ""
        out = [f"{self.fence}{{{self.name}}}{arg}", *self.option_lines, *self.body]
        return [*out, self.fence] if self.closed else out


def _replace_lines(lines: list[str], edits: dict[int, tuple[int, list[str]]]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i in edits:
            end, new = edits[i]
            out.extend(new)
            i = max(end, i + 1)
        else:
            out.append(lines[i])
            i += 1
    return out


def _indent_of(lines: list[str]) -> str:
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    return " " * min(widths) if widths else ""


# ------------------------------------------------------------------------ translating
Translate = Callable[[str], str]


def clean_message(text: str) -> str:
    """The msgid that Sphinx extracts from a node's raw source (trailing backslashes off)."""
    from sphinx.util.nodes import _clean_extracted_message

    return str(_clean_extracted_message(text))


def translate_markdown(text: str, translate: Translate) -> str:
    """Replace every translatable message of MyST ``text`` by ``translate(msgid)``.

    The messages are those Sphinx's gettext extracts: the raw inline source of every
    paragraph, heading and table cell, also inside directives, and the titles of
    admonitions and exercises. Display math, code and directive options stay as written.
    """
    lines = text.split("\n")
    edits: dict[int, tuple[int, list[str]]] = {}
    inline_lines: dict[int, str] = {}
    cursor: dict[int, int] = {}
    block_map: list[int] | None = None
    for token in _tokens(text):
        if token.map is not None and token.type != "inline":
            block_map = token.map
        if token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
            start, end = token.map
            edits[start] = (end, _translate_directive(lines[start:end], translate))
        elif token.type == "inline" and token.content.strip():
            start, end = token.map or block_map or (0, 0)
            msgid = clean_message(token.content)
            msgstr = translate(msgid)
            if msgstr == msgid:
                continue
            if end - start == 1 or "\n" not in token.content:
                line = inline_lines.get(start, lines[start])
                pos = line.find(token.content, cursor.get(start, 0))
                if pos < 0:
                    raise NotebookError(f"message not found in its line: {token.content!r}")
                inline_lines[start] = line[:pos] + msgstr + line[pos + len(token.content) :]
                cursor[start] = pos + len(msgstr)
                edits[start] = (start + 1, inline_lines[start].split("\n"))
            else:
                first = token.content.split("\n")[0]
                pos = lines[start].find(first)
                if pos < 0:
                    raise NotebookError(f"message not found in its lines: {token.content!r}")
                prefix = lines[start][:pos]
                new = msgstr.split("\n")
                edits[start] = (end, [prefix + new[0]] + [" " * len(prefix) + x for x in new[1:]])
    return "\n".join(_replace_lines(lines, edits))


def _translate_directive(lines: list[str], translate: Translate) -> list[str]:
    indent = _indent_of(lines)
    directive = Directive.parse([line[len(indent) :] for line in lines])
    name = directive.name
    if name in VERBATIM or name in ("code-cell", "raw-cell"):
        return lines
    if name not in PROSE:
        raise NotebookError(f"directive {{{name}}} is not known to the notebook converter")
    if name in TITLED and directive.argument:
        directive.argument = translate(clean_message(directive.argument))
    directive.body = translate_markdown("\n".join(directive.body), translate).split("\n")
    return [indent + line if line else line for line in directive.lines()]


@dataclass
class Catalog:
    """The French messages of one page, read from its .po file (fuzzy ones are not used)."""

    path: Path
    messages: dict[str, str] = field(default_factory=dict)
    fuzzy: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Catalog:
        from babel.messages.pofile import read_po

        catalog = cls(path)
        if not path.exists():
            catalog.problems.append(f"{path}: no catalogue")
            return catalog
        with path.open("rb") as handle:
            po = read_po(handle)
        for message in po:
            if not message.id or not isinstance(message.id, str):
                continue
            if message.fuzzy:
                catalog.fuzzy.add(message.id)
            elif message.string:
                catalog.messages[message.id] = str(message.string)
        return catalog

    def translate(self, msgid: str) -> str:
        self.used.add(msgid)
        if msgid in self.messages:
            return self.messages[msgid]
        state = "fuzzy" if msgid in self.fuzzy else "untranslated or missing"
        self.problems.append(f"{self.path.name}: {state}: {msgid[:120]!r}")
        return msgid


# ------------------------------------------------------------------------- converting
@dataclass
class Resolver:
    """Cross-references of one edition: labels, equation numbers, pages with notebooks."""

    labels: dict[str, tuple[str, str, str]]  # label -> (docname, anchor id, title)
    titles: dict[str, str]  # docname -> page title
    equations: dict[str, tuple[str, int]]  # label -> (docname, number)
    notebooks: set[str]
    exercises: dict[str, str] = field(default_factory=dict)  # label -> number on the site

    @classmethod
    def from_env(cls, env: Any, notebooks: Iterable[str]) -> Resolver:
        labels = {k: (v[0], v[1], str(v[2])) for k, v in env.domaindata["std"]["labels"].items()}
        titles = {doc: title.astext() for doc, title in env.titles.items()}
        equations = dict(env.domaindata["math"]["objects"])
        exercises = {  # sphinx-exercise numbers exercises through the site, as numfig does
            label: ".".join(map(str, number))
            for numbers in env.toc_fignumbers.values()
            for label, number in numbers.get("exercise", {}).items()
        }
        return cls(labels, titles, equations, set(notebooks), exercises)

    def link(self, label: str, text: str | None, here: str) -> str:
        if label not in self.labels:
            raise NotebookError(f"{{ref}} to an unknown label {label!r}")
        docname, _, title = self.labels[label]
        text = text or title
        if docname not in self.notebooks:
            return f"*{text}*"
        target = f"{docname}.ipynb" if docname != here else ""
        if title != self.titles.get(docname):
            target += "#" + title.replace(" ", "-")  # JupyterLab's heading anchors
        return f"[{text}]({target})"


@dataclass
class Context:
    """What the conversion of one page needs and collects."""

    docname: str
    language: str
    resolver: Resolver
    words: dict[str, str]
    exercises: dict[str, str] = field(default_factory=dict)
    in_solution: str | None = None
    problems: list[str] = field(default_factory=list)

    def exercise_number(self, label: str | None) -> str:
        """The site's number of the exercise ``label``; else its rank on the page."""
        if label and label in self.resolver.exercises:
            return self.resolver.exercises[label]
        if label and label in self.exercises:
            return self.exercises[label]
        number = str(len(self.exercises) + 1)
        self.exercises[label or f"_{number}"] = number
        return number


def convert_roles(text: str, ctx: Context) -> str:
    """MyST roles as Jupyter Markdown: API names as code, {ref} as links, {eq} as (n)."""

    def one(match: re.Match[str]) -> str:
        role, body = match["role"], match["body"]
        explicit = TARGET.match(body)
        title, target = (explicit["title"], explicit["target"]) if explicit else (None, body)
        if role.startswith("py:"):
            shown = title or (target[1:].rsplit(".", 1)[-1] if target.startswith("~") else target)
            if role in ("py:func", "py:meth") and not title:
                shown += "()"
            return f"`{shown}`"
        if role == "ref":
            return ctx.resolver.link(target, title, ctx.docname)
        if role == "eq":
            if target not in ctx.resolver.equations:
                raise NotebookError(f"{{eq}} to an unknown equation {target!r}")
            return f"({ctx.resolver.equations[target][1]})"
        if role == "math":
            return f"${body}$"
        if role in ("doc", "numref", "term", "abbr", "sub", "sup"):
            return title or target
        raise NotebookError(f"role {{{role}}} is not known to the notebook converter")

    return ROLE.sub(one, text)


def to_jupyter(text: str, ctx: Context) -> str:
    """Rewrite MyST ``text`` (already translated) as Markdown that Jupyter renders."""
    lines = text.split("\n")
    edits: dict[int, tuple[int, list[str]]] = {}
    for token in _tokens(text):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "myst_target":
            edits[start] = (end, [])
        elif token.type == "math_block_label":
            number = ctx.resolver.equations.get(token.info, (None, None))[1]
            closing = lines[end - 1]
            tag = [rf"\tag{{{number}}}"] if number is not None else []
            edits[end - 1] = (end, [*tag, closing[: closing.index("$$") + 2]])
        elif token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
            edits[start] = (end, _convert_directive(lines[start:end], ctx))
    converted = "\n".join(_replace_lines(lines, edits))
    return convert_roles(converted, ctx)


def _box(kind: str, title: str, body: list[str]) -> list[str]:
    css = ALERT_CLASS.get(kind, "info")
    return [f'<div class="alert alert-{css}">', "", f"**{title}**", "", *body, "", "</div>"]


def _literalinclude(directive: Directive, docname: str) -> list[str]:
    from sphinx.config import Config
    from sphinx.directives.code import LiteralIncludeReader

    path = (DOCS / docname).parent / directive.argument
    options: dict[str, Any] = dict(directive.options)
    if "dedent" in options:
        options["dedent"] = int(options["dedent"]) if options["dedent"] else None
    reader = LiteralIncludeReader(str(path), options, Config({"source_encoding": "utf-8"}))
    code, _ = reader.read()
    language = options.get("language", "python")
    return [f"```{language}", *code.rstrip("\n").split("\n"), "```"]


def _convert_directive(lines: list[str], ctx: Context) -> list[str]:
    indent = _indent_of(lines)
    directive = Directive.parse([line[len(indent) :] for line in lines])
    name, words = directive.name, ctx.words
    body = to_jupyter("\n".join(directive.body), ctx).strip("\n").split("\n")
    if name in ADMONITIONS:
        out = _box(name, words[name], body)
    elif name in ("admonition", "topic", "dropdown"):
        out = _box("note", directive.argument, body)
    elif name in ("exercise", "exercise-start"):
        n = ctx.exercise_number(directive.options.get("label"))
        title = words["exercise"].format(n=n)
        if "nonumber" in directive.options:
            title = words["exercise"].replace(" {n}", "")
        if directive.argument:
            title += f" ({convert_roles(directive.argument, ctx)})"
        out = _box("exercise", title, body if name == "exercise" else [])
    elif name == "solution":
        n = ctx.exercise_number(directive.argument)
        out = [
            "<details>",
            f"<summary>{words['solution'].format(n=n)}</summary>",
            "",
            *body,
            "",
            "</details>",
        ]
    elif name == "solution-start":
        n = ctx.exercise_number(directive.argument)
        ctx.in_solution = words["solution"].format(n=n)
        out = [f"**{ctx.in_solution}.** {words['solution_cells']}"]
    elif name in ("solution-end", "exercise-end"):
        ctx.in_solution = None
        out = []
    elif name == "math":
        number = ctx.resolver.equations.get(directive.options.get("label", ""), (None, None))[1]
        tag = [rf"\tag{{{number}}}"] if number is not None else []
        out = ["$$", *directive.body, *tag, "$$"]
    elif name == "literalinclude":
        out = _literalinclude(directive, ctx.docname)
    elif name in ("code-block", "code"):
        out = [f"```{directive.argument}", *directive.body, "```"]
    elif name == "toctree":
        out = []
    else:
        raise NotebookError(f"directive {{{name}}} is not known to the notebook converter")
    return [indent + line if line else line for line in out]


def _code_problems(source: str) -> list[str]:
    return [f"code cell uses {bad!r}" for bad in FORBIDDEN_CODE if bad in source]


def _inline_static_files(source: str, words: dict[str, str]) -> str:
    """Put the text of a file of docs/_static that a cell reads into the cell itself."""

    def one(match: re.Match[str]) -> str:
        content = (DOCS / match["path"]).read_text(encoding="utf-8")
        if '"""' in content or content.endswith("\\"):
            raise NotebookError(f"{match['path']} cannot be inlined as a raw string")
        return 'r"""\n' + content.rstrip("\n") + '\n"""'

    if not STATIC_READ.search(source):
        return source
    paths = sorted({m["path"] for m in STATIC_READ.finditer(source)})
    comments = [words["inlined"].format(path=f"docs/{p}") for p in paths]
    return "\n".join(comments) + "\n" + STATIC_READ.sub(one, source)


def _not_raising(source: str, words: dict[str, str]) -> str:
    body = "\n".join("    " + line if line.strip() else line for line in source.split("\n"))
    return (
        f"{words['raises']}\ntry:\n{body}\nexcept Exception as error:\n"
        '    print(f"{type(error).__name__}: {error}")'
    )


# ---------------------------------------------------------------------------- pages
def pages_with_code(docs: Path = DOCS) -> list[str]:
    """Docnames of the MyST pages that have at least one code cell, sorted."""
    return sorted(
        p.relative_to(docs).with_suffix("").as_posix()
        for p in docs.rglob("*.md")
        if "_build" not in p.parts and re.search(r"^```\{code-cell\}", p.read_text(), re.M)
    )


def read_page(path: Path, cache: Path | None = CACHE) -> nbformat.NotebookNode:
    """The page as myst-nb reads it, with the outputs of the cached execution merged in."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_nb.core.utils import coalesce_streams
    from myst_parser.config.main import MdParserConfig

    config = MdParserConfig(enable_extensions=set(MYST_EXTENSIONS), dmath_double_inline=True)
    notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), config, path=path)
    if cache is not None:
        from jupyter_cache import get_cache

        try:
            _, notebook = get_cache(str(cache)).merge_match_into_notebook(notebook)
        except KeyError as error:
            raise NotebookError(
                f"{path.name}: no execution of this version in {cache}; build the docs first"
            ) from error
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = coalesce_streams(cell.outputs)
    return notebook


def convert(
    notebook: nbformat.NotebookNode,
    docname: str,
    language: str,
    resolver: Resolver,
    translate: Translate | None = None,
) -> nbformat.NotebookNode:
    """The notebook of one page in one language: prose translated and made Jupyter's own."""
    words = WORDS[language]
    ctx = Context(docname, language, resolver, words)
    out = new_notebook()
    out.metadata = {
        "kernelspec": notebook.metadata.get("kernelspec", {}),
        "language_info": notebook.metadata.get("language_info", {"name": "python"}),
        "mathnn": {"page": docname, "language": language},
    }
    first_markdown = True
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            source = (
                cell.source if translate is None else translate_markdown(cell.source, translate)
            )
            pieces = []
            for piece in _split_at_gates(source):
                solution = ctx.in_solution  # the state where this piece starts
                piece = to_jupyter(piece, ctx).strip("\n")
                if solution and piece.strip():
                    piece = "\n".join(
                        ["<details>", f"<summary>{solution}</summary>", "", piece, "", "</details>"]
                    )
                pieces.append(piece)
            source = "\n\n".join(p for p in pieces if p.strip())
            if first_markdown:
                source = _after_title(source, words["about"])
                first_markdown = False
            if source.strip():
                out.cells.append(new_markdown_cell(source))
        elif cell.cell_type == "code":
            new = copy.deepcopy(cell)
            tags = list(new.metadata.get("tags", []))
            ctx.problems += [f"{docname}: {p}" for p in _code_problems(new.source)]
            new.source = _inline_static_files(new.source, words)
            if "remove-cell" in tags:
                out.cells.append(new_markdown_cell(words["setup"]))
                tags.append("setup")
            if "raises-exception" in tags:
                new.source = _not_raising(new.source, words)
            if ctx.in_solution:
                tags.append("solution")
                new.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
            if tags:
                new.metadata["tags"] = tags
            out.cells.append(new)
        else:
            out.cells.append(copy.deepcopy(cell))
    if ctx.problems:
        raise NotebookError("\n".join(ctx.problems))
    nbformat.validator.normalize(out)
    nbformat.validate(out)
    return out


def _split_at_gates(source: str) -> list[str]:
    """Cut a markdown cell before and after each gate of sphinx-exercise (start/end)."""
    lines = source.split("\n")
    cuts = {0, len(lines)}
    for token in _tokens(source):
        info = token.info.strip()
        if token.level == 0 and token.type in ("fence", "colon_fence") and token.map:
            if info.startswith("{") and info[1:].split("}")[0] in GATES:
                cuts.update(token.map)
    bounds = sorted(cuts)
    return ["\n".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]


def _after_title(source: str, note: str) -> str:
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: i + 1], "", note, *lines[i + 1 :]])
    return "\n".join([note, "", *lines])


def write_edition(
    language: str, env: Any, outdir: Path | None = None, docs: Path = DOCS
) -> list[Path]:
    """Write the notebooks of one edition and its archive; copy them into ``outdir``."""
    docnames = [d for d in pages_with_code(docs) if d in env.found_docs]
    resolver = Resolver.from_env(env, docnames)
    folder = NOTEBOOKS / language
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    problems: list[str] = []
    written: list[Path] = []
    for docname in docnames:
        catalog = None
        if language != "en":
            catalog = Catalog.read(LOCALES / language / "LC_MESSAGES" / f"{docname}.po")
        try:
            notebook = convert(
                read_page(docs / f"{docname}.md"),
                docname,
                language,
                resolver,
                None if catalog is None else catalog.translate,
            )
        except NotebookError as error:
            problems.append(f"{docname}: {error}")
            continue
        if catalog is not None:
            problems += catalog.problems
            unused = set(catalog.messages) - catalog.used
            problems += [
                f"{catalog.path.name}: translated message not found on the page: {m[:120]!r}"
                for m in sorted(unused)
            ]
        path = folder / f"{docname}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_notebook(notebook, path)
        written.append(path)
    if problems:
        raise NotebookError(f"notebooks ({language}):\n  " + "\n  ".join(problems))
    archive = folder / ARCHIVE.format(language=language)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in written:
            zipped.write(path, f"mathnn-notebooks-{language}/{path.relative_to(folder)}")
    if outdir is not None:
        target = outdir / HTML_FOLDER
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(folder, target)
    return written


# --------------------------------------------------------------------------- Sphinx
def _link_html(href: str, text: str, css: str) -> str:
    return f'<p class="{css}"><a class="reference download" href="{href}" download>{text}</a></p>'


def _add_links(app: Any, doctree: Any, docname: str) -> None:
    from docutils import nodes

    if app.builder.format != "html":
        return
    language = app.config.language if app.config.language in WORDS else "en"
    words = WORDS[language]
    up = "../" * docname.count("/")
    if docname == app.config.root_doc:
        href = f"{up}{HTML_FOLDER}/{ARCHIVE.format(language=language)}"
        html = _link_html(href, words["archive"], "mathnn-notebook mathnn-notebook-archive")
    elif docname in pages_with_code(Path(app.srcdir)):
        href = f"{up}{HTML_FOLDER}/{docname}.ipynb"
        html = _link_html(href, words["download"], "mathnn-notebook")
    else:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    section.insert(1, nodes.raw("", html, format="html"))


def _write_notebooks(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.errors import ExtensionError

    language = app.config.language if app.config.language in WORDS else "en"
    t0 = time.monotonic()
    try:
        written = write_edition(language, app.env, Path(app.outdir), Path(app.srcdir))
    except NotebookError as error:
        raise ExtensionError(str(error)) from None
    print(
        f"notebooks ({language}): {len(written)} written to {NOTEBOOKS / language} "
        f"and {Path(app.outdir) / HTML_FOLDER} in {time.monotonic() - t0:.1f} s",
        flush=True,
    )


def setup_sphinx(app: Any) -> None:
    """Connect the notebook links and the writing of the notebooks to a Sphinx build."""
    app.connect("doctree-resolved", _add_links)
    app.connect("build-finished", _write_notebooks)


# ---------------------------------------------------------------------------- execute
def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def execute(paths: list[Path], timeout: int = 600) -> tuple[int, float, list[str]]:
    """Run each notebook in a fresh kernel, from an empty temporary folder.

    Returns the count, the seconds, and one message per failed notebook.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    os.environ.pop("PYTHONPATH", None)
    failures: list[str] = []
    t0 = time.monotonic()
    for path in paths:
        notebook = read_notebook(path, 4)
        start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="mathnn-nb-") as folder:
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": folder}},
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
            try:
                client.execute(cwd=folder)
            except CellExecutionError as error:
                failures.append(f"{path}: {str(error)[-2000:]}")
            except Exception as error:  # kernel died, timeout, ...
                failures.append(f"{path}: {type(error).__name__}: {error}")
        status = "FAILED" if failures and failures[-1].startswith(str(path)) else "ok"
        print(f"  {status:6} {time.monotonic() - start:6.1f} s  {_shown(path)}", flush=True)
    return len(paths), time.monotonic() - t0, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["list", "execute"])
    parser.add_argument("--language", action="append", choices=sorted(WORDS))
    args = parser.parse_args(argv)
    languages = args.language or ["en", "fr"]
    paths = {lang: sorted((NOTEBOOKS / lang).glob("*.ipynb")) for lang in languages}
    for language, found in paths.items():
        if not found:
            print(f"no notebook in {NOTEBOOKS / language}: run `make docs` first", file=sys.stderr)
            return 1
    if args.command == "list":
        for language, found in paths.items():
            print(
                f"{language}: {len(found)} notebooks in {NOTEBOOKS / language}"
                f" (archive {ARCHIVE.format(language=language)})"
            )
        return 0
    failures: list[str] = []
    total, seconds = 0, 0.0
    for language, found in paths.items():
        print(
            f"executing the {len(found)} notebooks of {language} (fresh kernel, empty "
            "temporary folder each)",
            flush=True,
        )
        count, spent, failed = execute(found)
        total, seconds, failures = total + count, seconds + spent, failures + failed
    for failure in failures:
        print(f"\n{failure}", file=sys.stderr)
    print(f"notebooks: {total - len(failures)} passed, {len(failures)} failed in {seconds:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
