"""The site as ReadTheDocs builds it: canonical links, hreflang alternates, language switch.

Each build runs RTD's own command from docs/ (``python -m sphinx -T -W --keep-going -b
html -d _build/doctrees -D language=xx . OUT``, here with the doctrees and OUT in a
temporary folder) with the variables RTD sets. Notebook execution comes from the jupyter
cache that ``make docs`` filled (on RTD every page executes again, on a fresh machine).
"""

from __future__ import annotations

import html.parser
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
SKIP_DIRS = {"_static", "_sources", "_images", "jupyter_execute", "_downloads"}
HOST = "https://mathnn.readthedocs.io"


class _Links(html.parser.HTMLParser):
    """The canonical link, the hreflang alternates and the language-switch links."""

    def __init__(self) -> None:
        super().__init__()
        self.canonical: list[str] = []
        self.alternates: dict[str, list[str]] = {}
        self.switch: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a["href"])
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates.setdefault(a["hreflang"], []).append(a["href"])
        elif tag == "a" and "mathnn-language-link" in a.get("class", "").split():
            self.switch.append(a["href"])


def rtd_build(out: Path, language: str, version: str, version_type: str, canonical: str) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("READTHEDOCS")}
    env.update(
        READTHEDOCS="True",
        READTHEDOCS_PROJECT="mathnn" if language == "en" else f"mathnn-{language}",
        READTHEDOCS_LANGUAGE=language,
        READTHEDOCS_VERSION=version,
        READTHEDOCS_VERSION_NAME=version,
        READTHEDOCS_VERSION_TYPE=version_type,
        READTHEDOCS_CANONICAL_URL=canonical,
        READTHEDOCS_OUTPUT=str(out),
    )
    cmd = [
        sys.executable, "-m", "sphinx", "-T", "-W", "--keep-going", "-b", "html",
        "-d", str(out / "doctrees"), "-D", f"language={language}", ".", str(out / "html"),
    ]  # fmt: skip
    result = subprocess.run(cmd, cwd=DOCS, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "html"


def pages(site: Path) -> dict[str, _Links]:
    found = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site)
        if SKIP_DIRS.intersection(rel.parts[:-1]):
            continue
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        found[rel.as_posix()] = parser
    return found


@pytest.fixture(scope="module")
def french_latest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, _Links]:
    out = tmp_path_factory.mktemp("rtd-fr")
    return pages(rtd_build(out, "fr", "latest", "branch", f"{HOST}/fr/latest/"))


def test_rtd_french_build_has_every_page(french_latest: dict[str, _Links]) -> None:
    sources = {p.stem for p in DOCS.glob("*.md")} | {p.stem for p in DOCS.glob("*.rst")}
    built = {name.removesuffix(".html") for name in french_latest}
    assert sources <= built, sources - built


def test_rtd_every_page_has_its_canonical_link(french_latest: dict[str, _Links]) -> None:
    for name, links in french_latest.items():
        assert links.canonical == [f"{HOST}/fr/latest/{name}"], name


def test_rtd_every_page_has_absolute_hreflang_alternates(
    french_latest: dict[str, _Links],
) -> None:
    for name, links in french_latest.items():
        assert links.alternates == {
            "en": [f"{HOST}/en/latest/{name}"],
            "fr": [f"{HOST}/fr/latest/{name}"],  # the self-entry, equal to the canonical
            "x-default": [f"{HOST}/en/latest/{name}"],
        }, name


def test_rtd_language_switch_goes_to_the_same_english_page(
    french_latest: dict[str, _Links],
) -> None:
    for name, links in french_latest.items():
        assert links.switch == [f"{HOST}/en/latest/{name}"], name


def test_rtd_pull_request_build_has_no_switch_and_no_alternates(tmp_path: Path) -> None:
    preview = "https://mathnn--42.org.readthedocs.build/en/42/"
    site = pages(rtd_build(tmp_path, "en", "42", "external", preview))
    assert "linear.html" in site
    for name, links in site.items():
        assert links.canonical == [preview + name], name
        assert links.alternates == {}, name
        assert links.switch == [], name


def load_conf() -> ModuleType:
    """docs/conf.py as a module (importlib: no sys.path edit)."""
    spec = importlib.util.spec_from_file_location("mathnn_docs_conf", DOCS / "conf.py")
    assert spec is not None and spec.loader is not None
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def fake_app(baseurl: str, language: str) -> Any:
    return SimpleNamespace(config=SimpleNamespace(html_baseurl=baseurl, language=language))


def test_edition_bases_swap_the_language_segment() -> None:
    conf = load_conf()
    bases = conf._edition_bases(fake_app("https://docs.example.org/mathnn/fr/v1.2", "fr"))
    assert bases == {
        "en": "https://docs.example.org/mathnn/en/v1.2/",
        "fr": "https://docs.example.org/mathnn/fr/v1.2/",
    }
    assert conf._edition_bases(fake_app("", "fr")) == {}


def test_edition_bases_warn_without_a_language_segment(
    caplog: pytest.LogCaptureFixture,
) -> None:
    conf = load_conf()
    with caplog.at_level("WARNING"):
        assert conf._edition_bases(fake_app("https://mathnn.example.org/latest/", "fr")) == {}
    assert "has no /fr/ segment" in caplog.text
