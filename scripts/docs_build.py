"""Build the English and the French site strictly (``make docs``).

English into docs/_build/html/en, French into docs/_build/html/fr, one doctree folder
per language and one jupyter-cache (docs/_build/.jupyter_cache, set in conf.py), so the
French build reuses the English execution. Writes docs/_build/html/index.html, which
redirects to en/index.html. Incremental: a rebuild with no change takes seconds.

    python -m scripts.docs_build [--language en --language fr] [-E]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"

REDIRECT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mathnn</title>
<meta http-equiv="refresh" content="0; url=en/index.html">
<link rel="canonical" href="en/index.html">
</head>
<body>
<p><a href="en/index.html">mathnn documentation (English)</a> |
<a href="fr/index.html">documentation de mathnn (français)</a></p>
</body>
</html>
"""


def sphinx_command(
    builder: str, language: str, outdir: Path, doctrees: Path, fresh: bool, failed_marker: Path
) -> list[str]:
    """The strict ``sphinx-build`` call of one builder and language (HTML here, LaTeX in
    docs_pdf.py), with ``-E`` when asked or when the last build of that kind failed.

    Sphinx saves its environment even when -W fails; an incremental rebuild would then
    skip the faulty pages and "succeed". After a failure (``failed_marker`` exists), the
    next build starts afresh.
    """
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "-n",
        "--keep-going",
        "-b",
        builder,
        "-d",
        str(doctrees),
        "-D",
        f"language={language}",
        str(DOCS),
        str(outdir),
    ]
    if fresh or failed_marker.exists():
        cmd.insert(3, "-E")
    return cmd


def arguments(argv: list[str] | None, description: str) -> argparse.Namespace:
    """The options of ``make docs`` and ``make pdf``: ``--language`` (repeatable; default
    both editions, English first) and ``-E``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--language", action="append", choices=["en", "fr"])
    parser.add_argument(
        "-E",
        dest="fresh",
        action="store_true",
        help="ignore the saved environment (re-read every page)",
    )
    args = parser.parse_args(argv)
    args.language = args.language or ["en", "fr"]  # English first: French reuses its cache
    return args


def build(language: str, fresh: bool) -> float:
    failed_marker = BUILD / f".failed-{language}"
    cmd = sphinx_command(
        "html", language, HTML / language, BUILD / "doctrees" / language, fresh, failed_marker
    )
    print(f"--- sphinx-build ({language}):", " ".join(cmd[3:]), flush=True)
    t0 = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT)
    seconds = time.monotonic() - t0
    if result.returncode == 0:
        failed_marker.unlink(missing_ok=True)
    if result.returncode != 0:
        failed_marker.parent.mkdir(parents=True, exist_ok=True)
        failed_marker.touch()
        sys.exit(f"docs: the {language} build failed (exit {result.returncode})")
    print(f"--- {language} built in {seconds:.1f} s", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv, __doc__.split("\n")[0])
    languages = args.language
    t0 = time.monotonic()
    for language in languages:
        build(language, args.fresh)
    HTML.mkdir(parents=True, exist_ok=True)
    (HTML / "index.html").write_text(REDIRECT, encoding="utf-8")
    print(f"\ndocs built in {time.monotonic() - t0:.1f} s. Open:")
    for language in languages:
        print(f"  {HTML / language / 'index.html'}")
    print(
        "or serve both editions (the language switch links between them):\n"
        f"  python -m http.server -d {HTML} 8000   # then http://127.0.0.1:8000/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
