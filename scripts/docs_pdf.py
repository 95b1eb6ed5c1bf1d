"""Build and check the PDF edition in English and in French (``make pdf``).

For each language: Sphinx's LaTeX builder (strict: -W -n --keep-going) writes
docs/_build/latex/<lang>/mathnn-<lang>.tex, latexmk runs xelatex on it, and the PDF is
copied to docs/_build/pdf/mathnn-<lang>.pdf and beside the HTML edition, as
docs/_build/html/<lang>/_downloads/mathnn-<lang>.pdf (the target of the site's PDF link).
The notebooks' outputs come from the execution cache that the HTML build filled
(docs/_build/.jupyter_cache): after ``make docs``, nothing executes again.

The build fails on:
* a Sphinx warning, or a LaTeX error (latexmk stops at the first one);
* a missing glyph ("Missing character" in the LaTeX log);
* text that runs past the bottom of a page (an overfull vbox of more than 10 pt);
* an undefined reference or citation (LaTeX log), or ``??`` in the text of the PDF;
* raw TeX in the reader's text: a backslash command or ``$$`` outside code, that is, in
  a font that is not the monospaced font of code cells and literals.

It prints the page count of each PDF (pdfinfo) and the time of each step.

    python -m scripts.docs_pdf [--language en --language fr] [-E]

Needs Debian's TeX Live (latexmk, texlive-xetex, texlive-latex-extra,
texlive-lang-french, fonts-freefont-otf, ...) and poppler-utils: see .ci/run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from scripts.docs_build import BUILD, HTML, ROOT, arguments, sphinx_command

LATEX = BUILD / "latex"
PDF = BUILD / "pdf"
TOOLS = ("latexmk", "xelatex", "makeindex", "pdfinfo", "pdftotext", "pdftohtml")

# raw TeX that reached the reader: a command such as \frac, or display-math dollars
RAW_TEX = re.compile(r"\\[A-Za-z]{2,}|\$\$")
LOG_PROBLEMS = (
    ("missing glyph", re.compile(r"^Missing character: .*$", re.M)),
    # LaTeX warns of a label or citation only when it is undefined
    ("undefined reference", re.compile(r"^LaTeX Warning: (?:Hyper r|R)eference `[^']*'", re.M)),
    ("undefined citation", re.compile(r"^LaTeX Warning: Citation `[^']*'", re.M)),
    ("undefined references", re.compile(r"^LaTeX Warning: There were undefined .*$", re.M)),
)


def run(cmd: list[str], log: Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> int:
    """Run cmd, echo its output and keep it in log; return the exit status."""
    print("---", " ".join(cmd), flush=True)
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
        )
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            if log.suffix == ".sphinx":  # latexmk's output is long: it stays in its log
                sys.stdout.write(line)
        return process.wait()


def sphinx_latex(language: str, fresh: bool) -> tuple[Path, int, int]:
    """Write the .tex of one language; return its path, notebooks executed and cached."""
    outdir = LATEX / language
    outdir.mkdir(parents=True, exist_ok=True)
    failed_marker = BUILD / f".failed-latex-{language}"
    cmd = sphinx_command(
        "latex", language, outdir, BUILD / "doctrees-latex" / language, fresh, failed_marker
    )
    log = outdir / "build.sphinx"
    status = run(cmd, log)
    if status != 0:
        failed_marker.touch()
        sys.exit(f"pdf: the {language} LaTeX build failed (exit {status}); see {log}")
    failed_marker.unlink(missing_ok=True)
    text = log.read_text(encoding="utf-8")
    executed = len(re.findall(r"Executed notebook in", text))
    cached = len(re.findall(r"Using cached notebook", text))
    return outdir / f"mathnn-{language}.tex", executed, cached


def latexmk(tex: Path) -> Path:
    """Run latexmk (xelatex, makeindex, as often as needed) in the folder of the .tex."""
    env = dict(os.environ, LATEXOPTS="-interaction=nonstopmode -halt-on-error -file-line-error")
    cmd = [
        "latexmk",
        "-pdf",
        "-dvi-",
        "-ps-",
        "-interaction=nonstopmode",
        "-halt-on-error",
        tex.name,
    ]
    status = run(cmd, tex.with_suffix(".latexmk"), cwd=tex.parent, env=env)
    pdf = tex.with_suffix(".pdf")
    if status != 0 or not pdf.exists():
        log = tex.with_suffix(".log")
        errors = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if line.startswith("!") or ":error:" in line or re.match(r"^\S+:\d+: ", line)
        ]
        print("\n".join(errors[:20]), file=sys.stderr)
        sys.exit(f"pdf: LaTeX failed on {tex.name} (exit {status}); see {log}")
    return pdf


# a box taller than the page by more than a few points: text runs past its bottom
OVERFULL_VBOX = re.compile(r"^Overfull \\vbox \(([\d.]+)pt too high\).*$", re.M)
OVERFULL_VBOX_LIMIT = 10.0  # points; the small ones are a line's depth


def log_problems(tex: Path) -> list[str]:
    text = tex.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    problems = []
    for what, pattern in LOG_PROBLEMS:
        problems += [f"{what}: {m.group(0)}" for m in pattern.finditer(text)]
    problems += [
        f"text past the bottom of a page: {m.group(0)}"
        for m in OVERFULL_VBOX.finditer(text)
        if float(m.group(1)) > OVERFULL_VBOX_LIMIT
    ]
    return problems


def text_problems(pdf: Path) -> list[str]:
    """`??` anywhere in the PDF's text; raw TeX in text that is not set in a mono font."""
    problems = []
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for page_number, page_text in enumerate(text.split("\f"), start=1):
        for line in page_text.splitlines():
            if "??" in line:
                problems.append(f"unresolved reference (??) on page {page_number}: {line.strip()}")
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-q", "-stdout", str(pdf)],
        check=True,
        capture_output=True,
        text=True,
        errors="replace",
    ).stdout
    root = ET.fromstring(xml)
    # a font is declared once, on the first page that uses it, and referred to by its id
    mono = {
        spec.get("id")
        for spec in root.iter("fontspec")
        if re.search(r"mono|courier|typewriter", spec.get("family", ""), re.I)
    }
    for page in root.iter("page"):
        for fragment in page.iter("text"):
            if fragment.get("font") in mono:
                continue
            content = "".join(fragment.itertext())
            for match in RAW_TEX.finditer(content):
                problems.append(
                    f"raw TeX {match.group(0)!r} on page {page.get('number')}: {content.strip()}"
                )
    return problems


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    if found is None:
        sys.exit(f"pdf: pdfinfo gives no page count for {pdf}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv, __doc__.split("\n")[0])
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        sys.exit(
            f"pdf: {', '.join(missing)} not found; install Debian's TeX Live and poppler:\n"
            "  apt-get install -y latexmk texlive-latex-recommended texlive-latex-extra "
            "texlive-fonts-recommended texlive-xetex texlive-lang-french fonts-freefont-otf "
            "poppler-utils"
        )
    languages = args.language
    PDF.mkdir(parents=True, exist_ok=True)
    t_start = time.monotonic()
    summary, failures = [], []
    for language in languages:  # English first: French reuses its cached execution
        t0 = time.monotonic()
        tex, executed, cached = sphinx_latex(language, args.fresh)
        t1 = time.monotonic()
        pdf = latexmk(tex)
        t2 = time.monotonic()
        problems = log_problems(tex) + text_problems(pdf)
        target = PDF / f"mathnn-{language}.pdf"
        shutil.copyfile(pdf, target)
        downloads = HTML / language / "_downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, downloads / target.name)
        pages = page_count(target)
        notebooks = (
            f"notebooks: {cached} from the cache, {executed} executed"
            if cached or executed
            else "no page changed since the last LaTeX build"
        )
        summary.append(
            f"  {target.relative_to(ROOT)}: {pages} pages; Sphinx {t1 - t0:.0f} s "
            f"({notebooks}), LaTeX {t2 - t1:.0f} s"
        )
        failures += [f"{language}: {problem}" for problem in problems]
    print(f"\nPDF edition built in {time.monotonic() - t_start:.0f} s:")
    print("\n".join(summary))
    if failures:
        print("\n".join(failures[:50]), file=sys.stderr)
        sys.exit(f"pdf: {len(failures)} problem(s) in the PDF edition")
    print("pdf checks: OK (no LaTeX error, missing glyph, unresolved reference or raw TeX)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
