"""Load every page of the built site in headless Chromium, with the network blocked.

Usage::

    python -m browser_tests.check_site [ROOT] [--edition en --edition fr]
                                       [--screenshots DIR] [--screenshot-page linear.html]

ROOT (default docs/_build/html) is served on 127.0.0.1 by a thread of this process.
Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) is driven through Playwright's
Python package; no browser is downloaded (never ``playwright install``). A page fails
when:

* it requests anything that is not on 127.0.0.1 (``page.route`` blocks the request and
  it is reported), or a local resource answers an HTTP error (a missing font or script);
* it shows raw TeX (``$$``, ``\\begin{``, ``\\frac``, ``\\(`` ... in visible text outside
  code blocks and outside MathJax's output);
* it has math (Sphinx's ``.math`` elements) that MathJax did not typeset, or MathJax
  reports an error (``mjx-merror``);
* a JavaScript exception is thrown;
* an internal link (or its #anchor) is broken, each distinct target checked once;
* the language switch is missing or does not point to the same page in the other edition.

Exit status 0 when every page passes; the report names each failure.
"""

from __future__ import annotations

import argparse
import functools
import html.parser
import http.server
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Request, Response, Route, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # runs as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH, HEIGHT = 1280, 900  # viewport, CSS pixels
EDITIONS = {"en": "fr", "fr": "en"}
SKIP_DIRS = {"_static", "_sources", "_images", "jupyter_execute", "_downloads"}

# Evaluated in the page once MathJax is done: everything the checks need.
PAGE_PROBE = r"""
() => {
  const skip = new Set(["SCRIPT", "STYLE", "PRE", "CODE", "TEXTAREA", "NOSCRIPT",
                        "MJX-CONTAINER", "MJX-ASSISTIVE-MML", "KBD", "SAMP"]);
  const rawPatterns = [/\$\$/, /\\begin\{/, /\\end\{/, /\\frac/, /\\\(/, /\\\)/, /\\\[/,
                       /\\\]/, /\\partial/, /\\mathbb/, /\\sum/, /\\top/, /\\left/,
                       /\$[^$\s][^$]*[\\^_{}][^$]*\$/];
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    let p = n.parentElement, skipped = false;
    while (p) {
      if (skip.has(p.tagName) || p.classList.contains("highlight")) { skipped = true; break; }
      p = p.parentElement;
    }
    if (skipped) continue;
    const text = n.textContent;
    if (rawPatterns.some(r => r.test(text))) raw.push(text.trim().slice(0, 120));
  }
  const mathNodes = Array.from(document.querySelectorAll(".math"))
    .filter(e => !e.closest("pre, code, .highlight"));
  const untypeset = mathNodes.filter(e => !e.querySelector("mjx-container"))
    .map(e => e.textContent.trim().slice(0, 120));
  return {
    math: mathNodes.length,
    mjx: document.querySelectorAll("mjx-container").length,
    merror: Array.from(document.querySelectorAll("mjx-merror"))
      .map(e => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 120)),
    untypeset: untypeset,
    raw: raw,
    links: Array.from(document.querySelectorAll("a[href]"))
      .map(a => a.href).filter(h => h.startsWith(location.origin)),
    switchLinks: Array.from(document.querySelectorAll("a.mathnn-language-link"))
      .map(a => a.href),
  };
}
"""

# Called after the load event: deferred scripts (MathJax) have run by then, so a page
# without MathJax.startup will never typeset; otherwise wait for MathJax to finish.
WAIT_MATHJAX = r"""
() => new Promise(resolve => {
  const t0 = Date.now();
  (function poll() {
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(() => resolve("ok"), e => resolve("error: " + e));
    } else if (document.querySelector(".math") && Date.now() - t0 < 300) {
      setTimeout(poll, 50);
    } else {
      resolve(mj && mj.startup ? "no-startup" : "absent");
    }
  })();
})
"""


@dataclass
class PageResult:
    url: str
    problems: list[str] = field(default_factory=list)
    math: int = 0
    mjx: int = 0


@dataclass
class Report:
    pages: list[PageResult] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[str]:
        out = [f"{p.url}: {problem}" for p in self.pages for problem in p.problems]
        out += [f"blocked external request: {u}" for u in self.blocked]
        out += [f"broken internal link: {b}" for b in self.broken_links]
        return out

    @property
    def ok(self) -> bool:
        return not self.failures


# -- local server ---------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class LocalServer:
    """http.server on 127.0.0.1 (free port) serving ``root`` from a thread."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- what the browser saw ---------------------------------------------------------
class Recorder:
    """Blocks every request that is not to ``origin`` and records what pages did.

    Each list only grows; a page's share is what was added while it was loaded.
    """

    def __init__(self, origin: str) -> None:
        # Playwright matches the pattern in its driver: local requests never wait on
        # Python, only the others reach ``block`` (data: and blob: URLs are not routed).
        self.external = re.compile("^(?!" + re.escape(origin + "/") + ")")
        self.blocked: list[str] = []
        self.failed_local: list[str] = []
        self.exceptions: list[str] = []

    def block(self, route: Route) -> None:
        self.blocked.append(route.request.url)
        route.abort("blockedbyclient")

    def response(self, response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed_local.append(f"HTTP {response.status} {response.url}")

    def request_failed(self, request: Request) -> None:
        # net::ERR_ABORTED: a request of the previous page (a font) cancelled when the
        # browser moved on; a missing file answers HTTP 404, reported by ``response``.
        if request.failure != "net::ERR_ABORTED" and request.url not in self.blocked:
            self.failed_local.append(f"{request.failure} {request.url}")

    def page_error(self, error: Exception) -> None:
        text = str(error)
        self.exceptions.append(text.splitlines()[0] if text else "exception")

    def attach(self, page: Page) -> None:
        page.route(self.external, self.block)
        page.on("response", self.response)
        page.on("requestfailed", self.request_failed)
        page.on("pageerror", self.page_error)


def screenshot(page: Page, path: Path) -> None:
    """The page from its top, at most 6000 px high."""
    height = int(page.evaluate("document.documentElement.scrollHeight") or HEIGHT)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=path,
        full_page=True,
        clip={"x": 0, "y": 0, "width": WIDTH, "height": min(height, 6000)},
    )


# -- link checking ----------------------------------------------------------------
class _Ids(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


def check_links(links: set[str]) -> list[str]:
    """Fetch each distinct internal target once; check #anchors against its ids."""
    broken: list[str] = []
    by_target: dict[str, set[str]] = {}
    for link in links:
        target, _, frag = link.partition("#")
        by_target.setdefault(target, set()).add(urllib.parse.unquote(frag))
    for target, frags in sorted(by_target.items()):
        try:
            with urllib.request.urlopen(target, timeout=30) as resp:
                body = resp.read()
                ctype = resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            broken.append(f"{target} (HTTP {err.code})")
            continue
        frags.discard("")
        if frags and "html" in ctype:
            parser = _Ids()
            parser.feed(body.decode("utf-8", "replace"))
            for frag in sorted(frags - parser.ids):
                broken.append(f"{target}#{frag} (no such anchor)")
    return broken


# -- the check ----------------------------------------------------------------------
def list_pages(root: Path, editions: list[str]) -> list[str]:
    pages = []
    for edition in editions:
        base = root / edition
        if not base.is_dir():
            raise FileNotFoundError(f"{base} does not exist: build the docs first")
        for path in sorted(base.rglob("*.html")):
            rel = path.relative_to(root)
            if SKIP_DIRS.intersection(rel.parts[1:-1]):
                continue
            pages.append(rel.as_posix())
    return pages


def _problems(probe: dict[str, Any], state: str) -> list[str]:
    """What the page probe says is wrong with a page."""
    problems = []
    if probe["math"] and state != "ok":
        problems.append(f"page has math but MathJax did not run ({state})")
    if probe["math"] and not probe["mjx"]:
        problems.append("page has math but no mjx-container was rendered")
    problems += [f"math not typeset: {text!r}" for text in probe["untypeset"]]
    problems += [f"raw TeX shown: {text!r}" for text in probe["raw"]]
    problems += [f"MathJax error: {text!r}" for text in probe["merror"]]
    return problems


def check_site(
    root: Path | str,
    editions: list[str] | None = None,
    pages: list[str] | None = None,
    screenshots: Path | None = None,
    screenshot_pages: tuple[str, ...] = ("linear.html",),
    check_language_switch: bool = True,
) -> Report:
    """Check ``pages`` (paths relative to root; default every page of ``editions``)."""
    t0 = time.monotonic()
    root = Path(root).resolve()
    editions = editions or [e for e in EDITIONS if (root / e).is_dir()]
    pages = pages if pages is not None else list_pages(root, editions)
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install -y chromium")
    report = Report()
    internal_links: set[str] = set()
    with LocalServer(root) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        seen = Recorder(server.origin)
        seen.attach(page)
        for rel in pages:
            result = PageResult(url=rel)
            report.pages.append(result)
            n_failed, n_exc, n_blocked = (
                len(seen.failed_local),
                len(seen.exceptions),
                len(seen.blocked),
            )
            page.goto(f"{server.origin}/{rel}", wait_until="load")
            state = str(page.evaluate(WAIT_MATHJAX))
            probe: dict[str, Any] = page.evaluate(PAGE_PROBE)
            # let late requests (fonts) arrive before attributing them to this page
            page.wait_for_timeout(50)
            result.math, result.mjx = probe["math"], probe["mjx"]
            result.problems += _problems(probe, state)
            result.problems += [f"resource failed: {t}" for t in seen.failed_local[n_failed:]]
            result.problems += [f"JavaScript exception: {t}" for t in seen.exceptions[n_exc:]]
            result.problems += [f"external request blocked: {u}" for u in seen.blocked[n_blocked:]]
            internal_links.update(probe["links"])
            edition, _, name = rel.partition("/")
            if check_language_switch and edition in EDITIONS:
                expected = f"{server.origin}/{EDITIONS[edition]}/{name}"
                if expected not in probe["switchLinks"]:
                    result.problems.append(
                        f"language switch missing or wrong: {probe['switchLinks']} "
                        f"(expected {expected})"
                    )
            if screenshots is not None and name in screenshot_pages:
                shot = Path(screenshots) / f"{edition}-{name.replace('/', '_')}.png"
                screenshot(page, shot)
                report.screenshots.append(shot)
        browser.close()
        report.blocked = sorted(set(seen.blocked))
        report.broken_links = check_links(internal_links)
    report.seconds = time.monotonic() - t0
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("root", nargs="?", default="docs/_build/html")
    parser.add_argument("--edition", action="append", choices=sorted(EDITIONS))
    parser.add_argument("--screenshots", type=Path)
    parser.add_argument("--screenshot-page", action="append", default=None)
    args = parser.parse_args(argv)
    report = check_site(
        args.root,
        editions=args.edition,
        screenshots=args.screenshots,
        screenshot_pages=tuple(args.screenshot_page or ["linear.html"]),
    )
    by_edition: dict[str, int] = {}
    for result in report.pages:
        edition = result.url.split("/")[0]
        by_edition[edition] = by_edition.get(edition, 0) + 1
    math_pages = sum(1 for p in report.pages if p.math)
    formulas = sum(p.mjx for p in report.pages)
    print(
        f"browser check: {len(report.pages)} pages "
        f"({', '.join(f'{k}: {v}' for k, v in by_edition.items())}), "
        f"{math_pages} with math, {formulas} formulas typeset, "
        f"in {report.seconds:.1f} s"
    )
    for shot in report.screenshots:
        print(f"screenshot: {shot.resolve()}")
    if report.ok:
        print("browser check: OK (no external request, no raw TeX, no broken link)")
        return 0
    for failure in report.failures:
        print(f"FAIL {failure}", file=sys.stderr)
    print(f"browser check: {len(report.failures)} problem(s)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
