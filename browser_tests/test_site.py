"""The browser checker catches what it must catch (and passes a good page).

Each test writes a tiny site into a temporary folder, with the MathJax vendored in
docs/_static/mathjax, and runs ``check_site`` on it in headless Chromium (Debian's,
through Playwright). The last test checks the real built site (``make docs`` first).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from browser_tests.check_site import Report, check_site

ROOT = Path(__file__).resolve().parent.parent
MATHJAX = ROOT / "docs" / "_static" / "mathjax"
BUILT = ROOT / "docs" / "_build" / "html"

MATHJAX_CONFIG = """<script>window.MathJax = {"options": {
  "ignoreHtmlClass": "tex2jax_ignore|mathjax_ignore|document",
  "processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}</script>"""


def page(body: str, mathjax: str = "../_static/mathjax/tex-chtml.js") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>
{MATHJAX_CONFIG}<script defer src="{mathjax}"></script></head>
<body><div class="document">{body}</div></body></html>"""


GOOD_BODY = r"""<h1 id="top">Linear</h1>
<p>Inline <span class="math notranslate nohighlight">\(z = x W + b\)</span>.</p>
<div class="math notranslate nohighlight">\[\frac{\partial L}{\partial X} = \Delta W^\top\]</div>
<div class="math notranslate nohighlight">\[\begin{align}Z &= XW \\ \Delta &= \Delta W^\top
\end{align}\]</div>
<pre>code may contain $$x$$ and \frac{a}{b}</pre>
<p><a href="other.html#sec">other</a> <a href="#top">top</a></p>"""


def make_site(tmp_path: Path, body: str = GOOD_BODY, mathjax: str | None = None) -> Path:
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    shutil.copytree(MATHJAX, site / "_static" / "mathjax")
    index = page(body) if mathjax is None else page(body, mathjax)
    (site / "en" / "index.html").write_text(index, encoding="utf-8")
    (site / "en" / "other.html").write_text(page('<h2 id="sec">Other</h2>'), encoding="utf-8")
    return site


def run(site: Path) -> Report:
    return check_site(site, editions=["en"], check_language_switch=False)


def test_good_page_passes(tmp_path: Path) -> None:
    report = run(make_site(tmp_path))
    assert report.ok, report.failures
    index = next(p for p in report.pages if p.url == "en/index.html")
    assert index.math == 3
    assert index.mjx >= 3


def test_unprocessed_dollar_math_is_caught(tmp_path: Path) -> None:
    report = run(make_site(tmp_path, body=GOOD_BODY + "<p>Raw $$x^2$$ left by a bad page</p>"))
    assert any("raw TeX" in f and "$$x^2$$" in f for f in report.failures), report.failures


def test_missing_mathjax_is_caught(tmp_path: Path) -> None:
    report = run(make_site(tmp_path, mathjax="../_static/mathjax/nope.js"))
    failures = "\n".join(report.failures)
    assert "HTTP 404" in failures
    assert "no mjx-container" in failures
    assert "math not typeset" in failures


def test_cdn_mathjax_is_blocked(tmp_path: Path) -> None:
    cdn = "https://cdn.jsdelivr.net/npm/mathjax@4/tex-mml-chtml.js"
    report = run(make_site(tmp_path, mathjax=cdn))
    assert cdn in report.blocked
    assert any("no mjx-container" in f for f in report.failures)


def test_external_image_is_blocked(tmp_path: Path) -> None:
    report = run(make_site(tmp_path, body=GOOD_BODY + '<img src="https://example.com/a.png">'))
    assert report.blocked == ["https://example.com/a.png"]
    assert not report.ok


def test_mathjax_error_is_caught(tmp_path: Path) -> None:
    body = GOOD_BODY + r'<p><span class="math">\(\left( x\)</span></p>'
    report = run(make_site(tmp_path, body=body))
    assert any("MathJax error" in f for f in report.failures), report.failures


def test_broken_internal_link_and_anchor_are_caught(tmp_path: Path) -> None:
    body = GOOD_BODY + '<a href="missing.html">x</a><a href="other.html#nowhere">y</a>'
    report = run(make_site(tmp_path, body=body))
    broken = "\n".join(report.broken_links)
    assert "missing.html (HTTP 404)" in broken
    assert "other.html#nowhere (no such anchor)" in broken


def test_javascript_error_is_caught(tmp_path: Path) -> None:
    report = run(make_site(tmp_path, body=GOOD_BODY + "<script>undefinedFunction()</script>"))
    assert any("JavaScript exception" in f for f in report.failures), report.failures


def test_missing_language_switch_is_caught(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "fr").mkdir()
    switch = '<a class="mathnn-language-link" href="../en/index.html">English</a>'
    (site / "fr" / "index.html").write_text(page(switch), encoding="utf-8")
    report = check_site(site, pages=["en/index.html", "fr/index.html"])
    failures = "\n".join(report.failures)
    assert "en/index.html: language switch missing or wrong" in failures
    assert "fr/index.html: language switch" not in failures


def test_built_site_index_pages(tmp_path: Path) -> None:
    pages = ["en/index.html", "fr/index.html"]
    missing = [p for p in pages if not (BUILT / p).exists()]
    assert not missing, f"{missing} not built: run make docs"
    report = check_site(BUILT, pages=pages, screenshots=tmp_path, screenshot_pages=("index.html",))
    assert report.ok, report.failures
    assert len(report.screenshots) == len(pages)
    for shot in report.screenshots:
        assert shot.read_bytes().startswith(b"\x89PNG"), shot
