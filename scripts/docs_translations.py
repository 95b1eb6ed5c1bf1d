"""French translation machinery (gettext): refresh the .po files, report, check.

    python scripts/docs_translations.py update   # make translations
    python scripts/docs_translations.py check    # make check-translations

Both first extract the English messages (``sphinx-build -b gettext`` with notebook
execution off) into docs/_build/gettext. ``update`` then runs ``sphinx-intl update``
(no obsolete ``#~`` entries, no line wrapping, no ``#: file:line`` comments: see
gettext_location in conf.py) on docs/locales/fr/LC_MESSAGES and prints, per page, the
messages still untranslated or fuzzy. ``check`` changes no file: it prints the same
report against the fresh .pot files and exits 1 if any page lacks its .po, any message is
untranslated, fuzzy or missing from its .po, or a .po belongs to no page.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
POT_DIR = DOCS / "_build" / "gettext"
LOCALES = DOCS / "locales"
LANGUAGE = "fr"
PO_DIR = LOCALES / LANGUAGE / "LC_MESSAGES"
# Catalogues of the interface, not of a page (no .pot): sphinx.po overrides the labels
# of Sphinx and of the theme; scripts/check_french.py checks it like the others.
UI_CATALOGUES = {"sphinx"}


@dataclass
class PoStatus:
    name: str
    total: int = 0
    translated: int = 0
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    not_in_po: list[str] = field(default_factory=list)
    missing_po: bool = False
    stale_po: bool = False

    @property
    def ok(self) -> bool:
        return not (
            self.untranslated or self.fuzzy or self.not_in_po or self.missing_po or self.stale_po
        )


def extract() -> None:
    """English messages into docs/_build/gettext (fresh, so deleted pages vanish)."""
    shutil.rmtree(POT_DIR, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-q",
        "-W",
        "-n",
        "--keep-going",
        "-E",
        "-b",
        "gettext",
        "-D",
        "nb_execution_mode=off",
        "-d",
        str(DOCS / "_build" / "doctrees" / "gettext"),
        str(DOCS),
        str(POT_DIR),
    ]
    print(
        "--- sphinx-build -b gettext -D nb_execution_mode=off docs docs/_build/gettext", flush=True
    )
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        sys.exit("translations: the gettext build failed")


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def status() -> list[PoStatus]:
    pots = {p.relative_to(POT_DIR).with_suffix("").as_posix(): p for p in POT_DIR.rglob("*.pot")}
    pos = (
        {p.relative_to(PO_DIR).with_suffix("").as_posix(): p for p in PO_DIR.rglob("*.po")}
        if PO_DIR.is_dir()
        else {}
    )
    pos = {name: p for name, p in pos.items() if name not in UI_CATALOGUES}
    report = []
    for name in sorted(set(pots) | set(pos)):
        st = PoStatus(name)
        report.append(st)
        if name not in pos:
            st.missing_po = True
            st.total = sum(1 for m in _read(pots[name]) if m.id)
            continue
        if name not in pots:
            st.stale_po = True
            continue
        po = _read(pos[name])
        wanted = [m.id for m in _read(pots[name]) if m.id]
        st.total = len(wanted)
        for msgid in wanted:
            msg = po.get(msgid)
            if msg is None:
                st.not_in_po.append(str(msgid))
            elif not msg.string or (isinstance(msg.string, tuple) and not all(msg.string)):
                st.untranslated.append(str(msgid))
            elif msg.fuzzy:
                st.fuzzy.append(str(msgid))
            else:
                st.translated += 1
    return report


def print_report(report: list[PoStatus], verbose: bool) -> None:
    width = max([len(s.name) for s in report] + [4])
    print(f"\n{'page':<{width}}  translated  untranslated  fuzzy  note")
    for st in report:
        note = (
            "NO .po FILE (run make translations)"
            if st.missing_po
            else "STALE .po: no such page"
            if st.stale_po
            else f"{len(st.not_in_po)} new message(s) not in .po (run make translations)"
            if st.not_in_po
            else ""
            if st.ok
            else "to do"
        )
        print(
            f"{st.name:<{width}}  {st.translated:>4}/{st.total:<5}  "
            f"{len(st.untranslated):>12}  {len(st.fuzzy):>5}  {note}"
        )
        if verbose:
            for label, items in (
                ("untranslated", st.untranslated),
                ("fuzzy", st.fuzzy),
                ("not in .po", st.not_in_po),
            ):
                for msgid in items:
                    short = msgid if len(msgid) < 90 else msgid[:87] + "..."
                    print(f"    {label}: {short!r}")
    total = sum(s.total for s in report)
    done = sum(s.translated for s in report)
    print(
        f"\n{LANGUAGE}: {done}/{total} messages translated in {len(report)} page(s); "
        f"files in {PO_DIR.relative_to(ROOT)}"
    )


def update() -> None:
    cmd = [
        sys.executable,
        "-m",
        "sphinx_intl",
        "update",
        "-p",
        str(POT_DIR),
        "-l",
        LANGUAGE,
        "-d",
        str(LOCALES),
        "--no-obsolete",
        "-w",
        "0",
    ]
    print(
        "--- sphinx-intl update -p docs/_build/gettext -l fr -d docs/locales --no-obsolete -w 0",
        flush=True,
    )
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        sys.exit("translations: sphinx-intl update failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["update", "check", "report"])
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="one line per page, without the messages"
    )
    args = parser.parse_args(argv)
    extract()
    if args.command == "update":
        update()
    report = status()
    print_report(report, verbose=not args.quiet)
    if args.command == "update":
        stale = [s.name for s in report if s.stale_po]
        if stale:
            print(f"note: .po files of removed pages, delete them: {', '.join(stale)}")
        return 0
    bad = [s for s in report if not s.ok]
    if args.command == "check" and bad:
        print(f"check-translations: FAILED ({len(bad)} page(s) incomplete)", file=sys.stderr)
        return 1
    print("check-translations: OK" if not bad else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
