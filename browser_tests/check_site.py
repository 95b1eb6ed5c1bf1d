"""Load every page of the built site in headless Chromium, with the network blocked.

Usage::

    python browser_tests/check_site.py [ROOT] [--edition en --edition fr]
                                       [--screenshots DIR] [--screenshot-page linear.html]

ROOT (default docs/_build/html) is served on 127.0.0.1 by a thread of this process;
Debian's /usr/bin/chromium is driven through the DevTools protocol (websocket-client).
A page fails when:

* it requests anything that is not on 127.0.0.1 (the request is blocked and reported),
  or a local resource answers an HTTP error (a missing font or script);
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
import base64
import functools
import html.parser
import http.server
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket  # websocket-client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EDITIONS = {"en": "fr", "fr": "en"}
SKIP_DIRS = {"_static", "_sources", "_images", "jupyter_execute", "_downloads"}

# Evaluated in the page once MathJax is done: everything the checks need, as JSON.
PAGE_PROBE = r"""
(() => {
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
  const links = Array.from(document.querySelectorAll("a[href]"))
    .map(a => a.href).filter(h => h.startsWith(location.origin));
  const switchLinks = Array.from(document.querySelectorAll("a.mathnn-language-link"))
    .map(a => a.href);
  return JSON.stringify({
    title: document.title,
    math: mathNodes.length,
    mjx: document.querySelectorAll("mjx-container").length,
    merror: Array.from(document.querySelectorAll("mjx-merror"))
      .map(e => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 120)),
    untypeset: untypeset,
    raw: raw,
    links: links,
    switchLinks: switchLinks,
    hasMathJax: typeof window.MathJax === "object" && !!window.MathJax.startup,
  });
})()
"""

# Called after the load event: deferred scripts (MathJax) have run by then, so a page
# without MathJax.startup will never typeset; otherwise wait for MathJax to finish.
WAIT_MATHJAX = r"""
new Promise(resolve => {
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


# -- Chromium through the DevTools protocol -------------------------------------------
class Chromium:
    """Headless Chromium with one page target; every non-local request is blocked."""

    def __init__(self, allowed_origin: str) -> None:
        self.allowed = urllib.parse.urlsplit(allowed_origin).hostname or "127.0.0.1"
        self.profile = tempfile.mkdtemp(prefix="mathnn-chromium-")
        self.proc: subprocess.Popen[bytes] | None = None
        self.ws: websocket.WebSocket | None = None
        self._id = 0
        self.events: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self.blocked: list[str] = []
        self.failed_local: list[str] = []
        self.exceptions: list[str] = []

    def __enter__(self) -> Chromium:
        if not Path(CHROMIUM).exists():
            raise RuntimeError(f"{CHROMIUM} not found: apt-get install -y chromium")
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "--window-size=1280,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("Chromium did not start (no DevToolsActivePort)")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Network.enable")
        self.call("Network.setCacheDisabled", cacheDisabled=False)
        self.call("Fetch.enable", patterns=[{"urlPattern": "*"}])
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=1280,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.ws is not None:
                try:
                    self.call("Browser.close", timeout=5)
                except Exception:
                    pass
                self.ws.close()
        finally:
            if self.proc is not None:
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)

    # protocol plumbing
    def _handle_event(self, msg: dict[str, Any]) -> None:
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Fetch.requestPaused":
            url = params["request"]["url"]
            host = urllib.parse.urlsplit(url).hostname
            if url.startswith(("data:", "blob:", "about:")) or host == self.allowed:
                self._send("Fetch.continueRequest", requestId=params["requestId"])
            else:
                self.blocked.append(url)
                self._send(
                    "Fetch.failRequest",
                    requestId=params["requestId"],
                    errorReason="BlockedByClient",
                )
            return
        if method == "Network.responseReceived":
            resp = params["response"]
            if resp.get("status", 200) >= 400 and not resp["url"].endswith("/favicon.ico"):
                self.failed_local.append(f"HTTP {resp['status']} {resp['url']}")
        elif method == "Runtime.exceptionThrown":
            det = params["exceptionDetails"]
            text = det.get("exception", {}).get("description") or det.get("text", "")
            self.exceptions.append(text.splitlines()[0] if text else "exception")
        self.events.put(msg)

    def _send(self, method: str, **params: object) -> int:
        assert self.ws is not None
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        return self._id

    def call(self, method: str, timeout: float = 60, **params: object) -> dict[str, Any]:
        assert self.ws is not None
        wanted = self._send(method, **params)
        deadline = time.monotonic() + timeout
        while True:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            msg = json.loads(self.ws.recv())
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self._handle_event(msg)

    def wait_event(self, name: str, timeout: float = 60) -> dict[str, Any]:
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while True:
            while not self.events.empty():
                msg = self.events.get()
                if msg.get("method") == name:
                    return msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(name)
            self.ws.settimeout(remaining)
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self._handle_event(msg)

    def evaluate(self, expression: str, timeout: float = 60) -> object:
        res = self.call(
            "Runtime.evaluate",
            timeout=timeout,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in res:
            raise RuntimeError(res["exceptionDetails"].get("text", "evaluate failed"))
        return res["result"].get("value")

    def load(self, url: str) -> None:
        while not self.events.empty():
            self.events.get()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def screenshot(self, path: Path) -> None:
        height = int(str(self.evaluate("document.documentElement.scrollHeight") or 900))
        shot = self.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": min(height, 6000), "scale": 1},
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


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
    report = Report()
    internal_links: set[str] = set()
    with LocalServer(root) as server, Chromium(server.origin) as browser:
        for rel in pages:
            url = f"{server.origin}/{rel}"
            result = PageResult(url=rel)
            report.pages.append(result)
            n_failed, n_exc = len(browser.failed_local), len(browser.exceptions)
            n_blocked = len(browser.blocked)
            browser.load(url)
            state = browser.evaluate(WAIT_MATHJAX, timeout=60)
            probe = json.loads(str(browser.evaluate(PAGE_PROBE)))
            # let late requests (fonts) arrive before attributing them to this page
            browser.evaluate("new Promise(r => setTimeout(r, 50))")
            result.math, result.mjx = probe["math"], probe["mjx"]
            if probe["math"] and state != "ok":
                result.problems.append(f"page has math but MathJax did not run ({state})")
            if probe["math"] and not probe["mjx"]:
                result.problems.append("page has math but no mjx-container was rendered")
            for text in probe["untypeset"]:
                result.problems.append(f"math not typeset: {text!r}")
            for text in probe["raw"]:
                result.problems.append(f"raw TeX shown: {text!r}")
            for text in probe["merror"]:
                result.problems.append(f"MathJax error: {text!r}")
            for text in browser.failed_local[n_failed:]:
                result.problems.append(f"resource failed: {text}")
            for text in browser.exceptions[n_exc:]:
                result.problems.append(f"JavaScript exception: {text}")
            for blocked in browser.blocked[n_blocked:]:
                result.problems.append(f"external request blocked: {blocked}")
            internal_links.update(probe["links"])
            edition, _, page = rel.partition("/")
            if check_language_switch and edition in EDITIONS:
                expected = f"{server.origin}/{EDITIONS[edition]}/{page}"
                if expected not in probe["switchLinks"]:
                    result.problems.append(
                        f"language switch missing or wrong: {probe['switchLinks']} "
                        f"(expected {expected})"
                    )
            if screenshots is not None and page in screenshot_pages:
                shot = Path(screenshots) / f"{edition}-{page.replace('/', '_')}.png"
                browser.screenshot(shot)
                report.screenshots.append(shot)
        report.blocked = sorted(set(browser.blocked))
        report.broken_links = check_links(internal_links)
    report.seconds = time.monotonic() - t0
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
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
    for page in report.pages:
        by_edition[page.url.split("/")[0]] = by_edition.get(page.url.split("/")[0], 0) + 1
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
