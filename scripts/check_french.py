"""Check and fix the French catalogues of the site (docs/locales/fr/LC_MESSAGES/*.po).

    python scripts/check_french.py check [PO ...]   # make check-french (in check-translations)
    python scripts/check_french.py fix [PO ...]     # make french-typography
    python scripts/check_french.py glossary         # make glossary

Only the standard library: the script reads and writes the .po files itself, keeping
every line it does not change byte for byte.

``check`` prints one line per finding, ``path:line: [rule] explanation: excerpt``, and
exits 1 if there is any. The rules, applied to each msgstr:

* Completeness. ``untranslated``: empty msgstr; ``fuzzy``: the ``#, fuzzy`` flag.
* Typography, in the prose only: inline math (``$...$``, ``$$...$$``, ``:math:`...```),
  code (```...```, ````...````), roles (``{py:class}`...```, ``:ref:`...```), link
  targets and URLs are left alone.
  ``punct-space``: a narrow no-break space (U+202F) before ``;`` ``:`` ``!`` ``?``
  (not in a ratio or time such as 1:2, nor in ``?!``, ``::``, ``:=``, ``![``).
  ``guillemets``: U+202F after « and before ».
  ``english-quotes``: no "..." nor “...” in French prose; French quotes are « ».
  ``unit-space``: a no-break space (U+00A0) between a number and % or a unit symbol
  (s, ms, Go, GFLOP/s, ... see UNITS).
  ``decimal-point``: a decimal comma in prose (0,5, not 0.5); version numbers
  (PyTorch 2.13, 3.2.2) keep their points.
  ``digit-groups``: integers of five digits or more grouped by three with U+202F
  (64 000); ``english-thousands``: 4,000 copied from the English means four in French.
* Identity with the English (order free): ``same-math`` (inline math), ``same-roles``
  (role name and target; a role's title may be translated), ``same-code`` (inline code),
  ``same-links`` (link targets and URLs). Numbers inside formulas and code therefore keep
  the decimal point of the English: formulas are shared by both editions (display math
  is not even translated, see conf.py) and agree with the printed cell outputs.
* ``glossary-term``: a French word that docs/glossary.json rules out for the English
  term of the message (false friends such as accuracy -> « précision », and the
  variants that break "one term per concept"). A rule fires only when the English
  term is in the msgid; ``allow_if_en`` lists English words that make the French word
  right (« dérivation » for "chain rule"), one occurrence each. The cells of the
  glossary page that stay in English (its English column) are skipped.
* ``copied-english``: a msgstr identical to an English sentence of four words or more.
* ``glossary-page`` / ``glossary-po``: docs/glossary.md and glossary.po agree with
  docs/glossary.json (regenerate with ``make glossary``).

``fix`` rewrites the msgstr of the given catalogues (all by default) for the
typography rules above (spaces, quotes, decimal commas, digit groups), mechanically and
idempotently: a second run changes nothing. It never touches math, code, roles or
links, and prints how many messages it changed.

``glossary`` rewrites the two generated tables of docs/glossary.md from
docs/glossary.json, refreshes the catalogues (``make translations``) and fills the
glossary.po messages of those tables (terms, symbols, French definitions).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PO_DIR = DOCS / "locales" / "fr" / "LC_MESSAGES"
GLOSSARY_JSON = DOCS / "glossary.json"
GLOSSARY_PAGE = DOCS / "glossary.md"
GLOSSARY_PO = PO_DIR / "glossary.po"

NNBSP = "\u202f"  # narrow no-break space: before ; : ! ?, inside « », between digit groups
NBSP = "\u00a0"  # no-break space: before % and unit symbols
SPACES = " \u00a0\u2009\u202f"  # what may stand where one of the two is wanted

# Unit symbols that take a no-break space after a number (longest first).
UNITS = [
    "GFLOP/s",
    "TFLOP/s",
    "Gflop/s",
    "GFLOPS",
    "GFLOP",
    "GHz",
    "MHz",
    "kHz",
    "Hz",
    "Gio",
    "Mio",
    "Kio",
    "Go",
    "Mo",
    "ko",
    "Ko",
    "To",
    "GB",
    "MB",
    "kB",
    "KB",
    "ms",
    "µs",
    "μs",
    "ns",
    "min",
    "s",
    "h",
    "px",
    "dB",
    "°C",
    "€",
    "%",
    "‰",
]
# Words after which a dotted number is a version or a section, not a decimal.
VERSION_WORDS = {
    "version",
    "versions",
    "v",
    "python",
    "pytorch",
    "torch",
    "numpy",
    "scipy",
    "sphinx",
    "mathjax",
    "myst-nb",
    "myst-parser",
    "babel",
    "jupyter",
    "jupyter-cache",
    "mnist1d",
    "scikit-learn",
    "matplotlib",
    "openblas",
    "ubuntu",
    "debian",
    "chromium",
    "tex",
    "section",
    "sections",
    "chapitre",
    "figure",
    "tableau",
    "équation",
    "annexe",
}


# -- .po files ----------------------------------------------------------------------
@dataclass
class Entry:
    """One message of a .po file, with where its msgstr lines are."""

    msgid: str
    msgstr: str
    flags: list[str]
    line: int  # 1-based line of the msgstr keyword
    span: tuple[int, int]  # msgstr lines [start, end) in the file's line list
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    body = line.strip()
    if not (body.startswith('"') and body.endswith('"')):
        raise ValueError(f"not a quoted .po string: {line!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body[1:-1])


def _quote(text: str) -> str:
    return (
        '"'
        + (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\r", "\\r")
            .replace("\n", "\\n")
            .replace('"', '\\"')
        )
        + '"'
    )


def format_msgstr(text: str) -> list[str]:
    """The msgstr lines as Babel (sphinx-intl -w 0) writes them, without newlines."""
    parts = text.splitlines(keepends=True)
    if len(parts) <= 1:
        return ["msgstr " + _quote(text)]
    return ['msgstr ""'] + [_quote(part) for part in parts]


def read_po(path: Path) -> tuple[list[str], list[Entry]]:
    """The lines of a .po file (newlines kept) and its entries, header included."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    entries: list[Entry] = []
    flags: list[str] = []
    fields: dict[str, list[str]] = {}
    spans: dict[str, list[int]] = {}
    current: str | None = None
    obsolete = False

    def close() -> None:
        nonlocal flags, fields, spans, current, obsolete
        if "msgid" in fields:
            start, end = spans.get("msgstr", [0, 0])
            entries.append(
                Entry(
                    "".join(fields["msgid"]),
                    "".join(fields.get("msgstr", [])),
                    flags,
                    start + 1,
                    (start, end),
                    obsolete,
                )
            )
        flags, fields, spans, current, obsolete = [], {}, {}, None, False

    for i, raw in enumerate(lines):
        line = raw.rstrip("\n")
        if line.startswith("#~"):
            obsolete = True
            continue
        if not line.strip():
            close()
            continue
        if line.startswith("#,"):
            if "msgid" in fields:
                close()
            flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            continue
        if line.startswith("#"):
            if "msgid" in fields and current == "msgstr":
                close()
            continue
        keyword = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(.*)", line)
        if keyword:
            name, rest = keyword.groups()
            if name == "msgctxt" and "msgid" in fields:
                close()
            name = "msgstr" if name.startswith("msgstr") else name
            if name == "msgid" and "msgid" in fields:
                close()
            current = name
            fields.setdefault(name, []).append(_unquote(rest))
            spans.setdefault(name, [i, i + 1])[1] = i + 1
        elif line.lstrip().startswith('"') and current is not None:
            fields[current].append(_unquote(line))
            spans[current][1] = i + 1
        else:
            raise ValueError(f"{path}:{i + 1}: cannot read this .po line: {line!r}")
    close()
    return lines, entries


def write_msgstrs(path: Path, lines: list[str], changes: dict[tuple[int, int], str]) -> None:
    """Replace the msgstr lines at the given spans; every other line stays as it was."""
    out: list[str] = []
    i = 0
    for (start, end), text in sorted(changes.items()):
        out += lines[i:start]
        out += [line + "\n" for line in format_msgstr(text)]
        i = end
    out += lines[i:]
    path.write_text("".join(out), encoding="utf-8")


# -- what is prose and what is not -------------------------------------------------
_PROTECTED = re.compile(
    r"(?P<role>\{[A-Za-z][\w:+.-]*\}`[^`]*`)"  # MyST role {py:class}`...`
    r"|(?P<rstrole>(?<![\w`]):[A-Za-z][\w+.-]*(?::[A-Za-z][\w+.-]*)*:`[^`]*`)"  # :ref:`...`
    r"|(?P<code2>``.+?``)"  # ``code``
    r"|(?P<code1>`[^`]+`(?:__?)?)"  # `code` (MyST), `text <url>`_ (reST link)
    r"|(?P<dmath>\$\$.+?\$\$)"
    r"|(?P<math>\$[^$]+\$)"
    r"|(?P<link>\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\))"  # ](target) of [text](target)
    r"|(?P<autolink><(?:https?|mailto):[^>\s]+>)"
    r"|(?P<url>(?:https?|ftp)://[^\s<>\"»)]+)"
    r"|(?P<footnote>\[\^[^\]\s]+\])",
    re.DOTALL,
)


@dataclass
class Span:
    start: int
    end: int
    kind: str
    text: str


def protected_spans(text: str) -> list[Span]:
    return [
        Span(m.start(), m.end(), m.lastgroup or "", m.group()) for m in _PROTECTED.finditer(text)
    ]


def prose_mask(text: str) -> list[bool]:
    """True for every character of the prose (outside math, code, roles, links)."""
    mask = [True] * len(text)
    for span in protected_spans(text):
        mask[span.start : span.end] = [False] * (span.end - span.start)
    return mask


def prose_text(text: str) -> str:
    """The prose with each protected span replaced by one space."""
    out, i = [], 0
    for span in protected_spans(text):
        out += [text[i : span.start], " "]
        i = span.end
    out.append(text[i:])
    return "".join(out)


# -- typography rules: each yields (start, end, replacement, explanation) ---------------
Edit = tuple[int, int, str, str]


def _free(mask: list[bool], start: int, end: int) -> bool:
    return all(mask[start:end])


def _name(ws: str) -> str:
    if not ws:
        return "no space"
    names = {" ": "a plain space", NBSP: "U+00A0", "\u2009": "a thin space", NNBSP: "U+202F"}
    return " + ".join(names.get(c, repr(c)) for c in ws)


def rule_punct_space(text: str, mask: list[bool], msgid: str) -> Iterator[Edit]:
    for m in re.finditer(rf"([{SPACES}]*)([;:!?])", text):
        ws, punct = m.group(1), m.group(2)
        p = m.start(2)
        if not _free(mask, m.start(), m.end()) or ws == NNBSP or "\n" in ws:
            continue
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[p + 1] if p + 1 < len(text) else ""
        if m.start() == 0 or (not ws and before in "([{\n;:!?«"):
            continue  # start of the message, "(?", "?!", "::"
        if after in "=:" or (punct == "!" and after == "["):
            continue  # ":=", "!=", "::", "![image]"
        if punct == ":" and not ws and before.isdigit() and after.isdigit():
            continue  # a ratio or a time, 1:2, 10:30
        if punct == ":" and text[p + 1 : p + 3] == "//":
            continue  # a URL the link pattern did not catch
        yield (
            m.start(),
            p,
            NNBSP,
            f"{_name(ws)} before « {punct} »; French wants U+202F (narrow no-break space)",
        )


def rule_guillemets(text: str, mask: list[bool], msgid: str) -> Iterator[Edit]:
    for m in re.finditer(rf"«([{SPACES}]*)", text):
        ws = m.group(1)
        nxt = text[m.end()] if m.end() < len(text) else ""
        if _free(mask, m.start(), m.end()) and ws != NNBSP and "\n" not in ws and nxt != "»":
            yield (m.start() + 1, m.end(), NNBSP, f"{_name(ws)} after « ; French wants U+202F")
    for m in re.finditer(rf"([{SPACES}]*)»", text):
        ws = m.group(1)
        prev = text[m.start() - 1] if m.start() > 0 else ""
        if (
            _free(mask, m.start(), m.end())
            and ws != NNBSP
            and "\n" not in ws
            and m.start() > 0
            and prev != "«"
        ):
            yield (m.start(), m.end() - 1, NNBSP, f"{_name(ws)} before » ; French wants U+202F")


_QUOTE_CHARS = '"“”'


def rule_english_quotes(text: str, mask: list[bool], msgid: str) -> Iterator[Edit]:
    quotes = [i for i, c in enumerate(text) if c in _QUOTE_CHARS and mask[i]]
    pairable = len(quotes) % 2 == 0 and all(
        text[o] != "”" and text[c] != "“" for o, c in zip(quotes[::2], quotes[1::2], strict=True)
    )
    for k, i in enumerate(quotes):
        if not pairable:
            yield (
                i,
                i + 1,
                text[i],
                "English quotation mark; French quotes are « » (unpaired, fix by hand)",
            )
            continue
        if k % 2 == 0:  # opening: eat the spaces after it
            j = i + 1
            while j < len(text) and text[j] in SPACES:
                j += 1
            yield (i, j, "«" + NNBSP, "English quotation mark; French quotes are « »")
        else:
            j = i
            while j > 0 and text[j - 1] in SPACES:
                j -= 1
            yield (j, i + 1, NNBSP + "»", "English quotation mark; French quotes are « »")


_UNIT_ALT = "|".join(re.escape(u) for u in UNITS)
_NUMBER = r"\d{1,3}(?:\u202f\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
_UNIT_RE = re.compile(
    rf"(?<![\w.,\u202f\u00a0])(?:{_NUMBER})([ \u2009\u202f\u00a0]?)(?:{_UNIT_ALT})(?![\w/'\u2019])"
)


def rule_unit_space(text: str, mask: list[bool], msgid: str) -> Iterator[Edit]:
    for m in _UNIT_RE.finditer(text):
        ws = m.group(1)
        unit = text[m.end(1) : m.end()]
        if ws == NBSP or not _free(mask, m.start(), m.end()):
            continue
        if not ws and unit not in "%‰":
            continue  # "5s" is too often something else
        yield (
            m.start(1),
            m.end(1),
            NBSP,
            f"{_name(ws)} before « {unit} »; French wants U+00A0 (no-break space)",
        )


_DECIMAL_RE = re.compile(r"(?<![\w.,])(\d+)\.(\d+)(?![\w]|[.,]\d)")


def _word_before(text: str, start: int) -> str:
    m = re.search(r"([\w.+-]+)[\s\u00a0\u202f]*$", text[:start])
    return m.group(1).lower().rstrip(".") if m else ""


def rule_decimal_point(text: str, mask: list[bool], msgid: str) -> Iterator[Edit]:
    for m in _DECIMAL_RE.finditer(text):
        if not _free(mask, m.start(), m.end()):
            continue
        if _word_before(text, m.start()) in VERSION_WORDS:
            continue
        dot = m.end(1)
        yield (
            dot,
            dot + 1,
            ",",
            f"decimal point in « {m.group()} »; French prose writes "
            f"« {m.group(1)},{m.group(2)} » (formulas and code keep the point)",
        )


_LONG_INT_RE = re.compile(r"(?<![\w.,\u202f\u00a0])\d{5,}(?![\w]|[.,]\d|\u202f\d)")


def _grouped(digits: str) -> str:
    head = len(digits) % 3 or 3
    return NNBSP.join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def rule_digit_groups(text: str, mask: list[bool], msgid: str) -> Iterator[Edit]:
    for m in _LONG_INT_RE.finditer(text):
        if _free(mask, m.start(), m.end()):
            yield (
                m.start(),
                m.end(),
                _grouped(m.group()),
                f"« {m.group()} »: French groups digits by three with U+202F",
            )


_THOUSANDS_RE = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w]|,\d)")


def rule_english_thousands(text: str, mask: list[bool], msgid: str) -> Iterator[Edit]:
    english = set(_THOUSANDS_RE.findall(prose_text(msgid)))
    for m in _THOUSANDS_RE.finditer(text):
        if m.group() in english and _free(mask, m.start(), m.end()):
            yield (
                m.start(),
                m.end(),
                m.group().replace(",", NNBSP),
                f"« {m.group()} » keeps the English thousands separator; in French "
                f"it reads as a decimal comma",
            )


TYPOGRAPHY: list[tuple[str, Callable[[str, list[bool], str], Iterable[Edit]]]] = [
    ("english-quotes", rule_english_quotes),
    ("punct-space", rule_punct_space),
    ("guillemets", rule_guillemets),
    ("english-thousands", rule_english_thousands),
    ("digit-groups", rule_digit_groups),
    ("decimal-point", rule_decimal_point),
    ("unit-space", rule_unit_space),
]


def _apply(text: str, edits: Iterable[Edit]) -> str:
    out, last = text, len(text) + 1
    for start, end, replacement, _ in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        if end <= last:  # skip an edit that overlaps one already applied
            out = out[:start] + replacement + out[end:]
            last = start
    return out


def fix_typography(msgstr: str, msgid: str = "") -> str:
    """The msgstr with every typography rule applied, one rule after the other."""
    text = msgstr
    for _, rule in TYPOGRAPHY:
        text = _apply(text, list(rule(text, prose_mask(text), msgid)))
    return text


# -- identity of math, roles, code and links ----------------------------------------
def _role_key(span: Span) -> str:
    name, _, content = span.text.partition("`")
    content = content[:-1]
    titled = re.match(r"(?s)^(.*?)\s*<([^<>]+)>$", content)
    return f"{name}`{titled.group(2) if titled else content}`"


def untranslatable(text: str) -> dict[str, Counter[str]]:
    """What must be the same in a message and its translation, by kind."""
    found: dict[str, Counter[str]] = {k: Counter() for k in ("math", "roles", "code", "links")}
    for span in protected_spans(text):
        if span.kind in ("math", "dmath") or (
            span.kind == "rstrole" and span.text.startswith(":math:")
        ):
            found["math"][span.text] += 1
        elif span.kind in ("role", "rstrole"):
            found["roles"][_role_key(span)] += 1
        elif span.kind == "code1" and span.text.endswith("_"):
            target = re.search(r"<([^<>]+)>`", span.text)
            found["links"][target.group(1) if target else span.text] += 1
        elif span.kind in ("code1", "code2"):
            found["code"][span.text] += 1
        elif span.kind == "link":
            found["links"][span.text[2:-1]] += 1
        elif span.kind in ("url", "autolink"):
            found["links"][span.text.strip("<>")] += 1
    return found


def _short(items: Iterable[str]) -> str:
    return ", ".join(item if len(item) < 50 else item[:47] + "..." for item in items)


# -- the glossary ----------------------------------------------------------------------
def _phrase_regex(phrase: str) -> str:
    words = [
        re.sub("['\u2019]", "['\u2019]", re.escape(word).replace(r"\*", r"\w*"))
        for word in phrase.split()
    ]
    return r"(?<!\w)" + r"[\s\u00a0\u202f]+".join(words) + r"(?!\w)"


def _any(phrases: Iterable[str]) -> re.Pattern[str] | None:
    phrases = list(phrases)
    if not phrases:
        return None
    return re.compile("|".join(f"(?:{_phrase_regex(p)})" for p in phrases), re.IGNORECASE)


Glossary = dict[str, Any]  # docs/glossary.json


@dataclass
class TermRule:
    en: str
    fr: str
    trigger: re.Pattern[str]
    avoid: re.Pattern[str]
    allow: re.Pattern[str] | None
    context: re.Pattern[str] | None
    preferred: re.Pattern[str] | None
    why: str


def load_glossary(path: Path = GLOSSARY_JSON) -> Glossary:
    data: Glossary = json.loads(path.read_text(encoding="utf-8"))
    return data


def term_rules(glossary: Glossary) -> list[TermRule]:
    rules = []
    for term in glossary["terms"]:
        if not term.get("avoid"):
            continue
        trigger = _any(term.get("en_forms") or [term["en"]])
        avoid = _any(term.get("avoid_forms") or term["avoid"])
        assert trigger is not None and avoid is not None
        preferred = term.get("fr_forms") or [p.split(" (")[0] for p in term["fr"].split(", ")]
        rules.append(
            TermRule(
                term["en"],
                term["fr"],
                trigger,
                avoid,
                _any(term.get("allow_if_en", [])),
                _any(term.get("context_en", [])),
                _any(preferred),
                term.get("why", ""),
            )
        )
    return rules


def check_terms(
    msgid: str, msgstr: str, rules: list[TermRule], same_ok: frozenset[str] = frozenset()
) -> Iterator[str]:
    if msgstr == msgid and msgid in same_ok:
        return
    english, french = prose_text(msgid), prose_text(msgstr)
    for rule in rules:
        if not rule.trigger.search(english):
            continue
        if rule.context is not None and not rule.context.search(english):
            continue
        text = rule.preferred.sub(" ", french) if rule.preferred is not None else french
        hits = [m.group() for m in rule.avoid.finditer(text)]
        allowed = len(rule.allow.findall(english)) if rule.allow is not None else 0
        if len(hits) > allowed:
            why = f" ({rule.why.rstrip('.')})" if rule.why else ""
            yield (f"« {hits[allowed]} » for '{rule.en}': the glossary writes « {rule.fr} »{why}")


# -- checking a message and a file ----------------------------------------------------
@dataclass
class Finding:
    path: Path
    line: int
    rule: str
    text: str

    def __str__(self) -> str:
        try:
            where = self.path.relative_to(ROOT)
        except ValueError:
            where = self.path
        return f"{where}:{self.line}: [{self.rule}] {self.text}"


def _excerpt(text: str, start: int, end: int) -> str:
    a, b = max(0, start - 30), min(len(text), end + 30)
    shown = text[a:b].replace(NNBSP, "⍽").replace(NBSP, "⎵").replace("\n", "⏎")
    return ("…" if a else "") + shown + ("…" if b < len(text) else "")


def check_message(
    msgid: str, msgstr: str, rules: list[TermRule], same_ok: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str]]:
    """(rule, explanation) for every fault of one translated message.

    ``same_ok``: msgids that are rightly their own translation (the English column of
    the glossary), exempt from ``copied-english``.
    """
    mask = prose_mask(msgstr)
    for name, rule in TYPOGRAPHY:
        for start, end, _, why in rule(msgstr, mask, msgid):
            yield name, f"{why}: {_excerpt(msgstr, start, end)}"
    english, french = untranslatable(msgid), untranslatable(msgstr)
    for kind in ("math", "roles", "code", "links"):
        if english[kind] != french[kind]:
            missing = list((english[kind] - french[kind]).elements())
            extra = list((french[kind] - english[kind]).elements())
            parts = ([f"missing {_short(missing)}"] if missing else []) + (
                [f"not in the English {_short(extra)}"] if extra else []
            )
            yield f"same-{kind}", f"{kind} differ from the msgid: " + "; ".join(parts)
    for why in check_terms(msgid, msgstr, rules, same_ok):
        yield "glossary-term", why
    words = re.findall(r"[A-Za-z]{2,}", prose_text(msgid))
    if msgstr == msgid and len(words) >= 4 and msgid not in same_ok:
        yield "copied-english", f"the msgstr is the English sentence: {_excerpt(msgid, 0, 40)}"


def check_po(
    path: Path, rules: list[TermRule], same_ok: frozenset[str] = frozenset()
) -> list[Finding]:
    findings = []
    _, entries = read_po(path)
    for entry in entries:
        if not entry.msgid or entry.obsolete:
            continue
        if not entry.msgstr:
            findings.append(
                Finding(
                    path,
                    entry.line,
                    "untranslated",
                    f"no translation: {_excerpt(entry.msgid, 0, 40)}",
                )
            )
            continue
        if entry.fuzzy:
            findings.append(
                Finding(
                    path,
                    entry.line,
                    "fuzzy",
                    "marked fuzzy: check the translation, then remove the flag",
                )
            )
        for rule, text in check_message(entry.msgid, entry.msgstr, rules, same_ok):
            findings.append(Finding(path, entry.line, rule, text))
    return findings


def fix_po(path: Path) -> int:
    """Apply fix_typography to every msgstr of a .po; the number of messages changed."""
    lines, entries = read_po(path)
    changes = {}
    for entry in entries:
        if entry.msgid and entry.msgstr and not entry.obsolete:
            fixed = fix_typography(entry.msgstr, entry.msgid)
            if fixed != entry.msgstr:
                changes[entry.span] = fixed
    if changes:
        write_msgstrs(path, lines, changes)
    return len(changes)


# -- the glossary page and its catalogue ------------------------------------------------
BEGIN = "% glossary-tables: begin (generated from glossary.json by `make glossary`)"
END = "% glossary-tables: end"
TERM_HEADER = ("English", "French", "symbol", "meaning")
FRIEND_HEADER = ("English", "French", "not", "why")
FRIENDS_HEADING = "False friends and variants"
FRIENDS_HEADING_FR = "Faux amis et variantes"
HEADER_FR = {
    "English": "anglais",
    "French": "français",
    "symbol": "symbole",
    "meaning": "sens",
    "not": "à éviter",
    "why": "pourquoi",
}


def _cell(text: str) -> str:
    if "|" in text:
        raise ValueError(f"a glossary cell cannot hold '|': {text!r}")
    return text


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _quoted(words: Iterable[str]) -> str:
    return ", ".join(f"«{NNBSP}{w}{NNBSP}»" for w in words)


def glossary_tables(glossary: Glossary) -> str:
    """The Markdown of the two generated tables, without the markers."""
    terms = glossary["terms"]
    # plain Markdown tables: inside a directive their cells would escape gettext
    lines = [_row(TERM_HEADER), _row(["---"] * 4)]
    for t in terms:
        lines.append(_row([t["en"], t["fr"], t.get("symbol", ""), t["definition"]]))
    lines += [
        "",
        "## " + FRIENDS_HEADING,
        "",
        glossary["friends_intro"],
        "",
        _row(FRIEND_HEADER),
        _row(["---"] * 4),
    ]
    for t in terms:
        if t.get("avoid"):
            lines.append(_row([t["en"], t["fr"], _quoted(t["avoid"]), t["why"]]))
    return "\n".join(lines)


def glossary_translations(glossary: Glossary) -> dict[str, str]:
    """msgid -> msgstr for the messages of the generated tables.

    The French of glossary.json is written with plain spaces; it goes through
    fix_typography on its way into glossary.po.
    """
    out = {h: HEADER_FR[h] for h in (*TERM_HEADER, *FRIEND_HEADER)}
    out[FRIENDS_HEADING] = FRIENDS_HEADING_FR
    out[glossary["friends_intro"]] = glossary["friends_intro_fr"]
    for t in glossary["terms"]:
        for cell in (t["en"], t["fr"], t.get("symbol", "")):
            if cell:
                out.setdefault(cell, cell)
        out[t["definition"]] = t["definition_fr"]
        if t.get("avoid"):
            out[_quoted(t["avoid"])] = _quoted(t["avoid"])
            out[t["why"]] = t["why_fr"]
    return {msgid: fix_typography(msgstr, msgid) for msgid, msgstr in out.items()}


def _page_parts(page: str) -> tuple[str, str, str]:
    """The page before the tables (with the begin marker), the tables, and the rest."""
    m = re.search(rf"(?ms)^{re.escape(BEGIN)}\n(.*?)^{re.escape(END)}$", page)
    if m is None:
        raise SystemExit(f"{GLOSSARY_PAGE}: the markers {BEGIN!r} and {END!r} are missing")
    return page[: m.start(1)], m.group(1), page[m.end(1) :]


def check_glossary(glossary: Glossary) -> list[Finding]:
    findings = []
    page = GLOSSARY_PAGE.read_text(encoding="utf-8")
    head, body, _ = _page_parts(page)
    if body != glossary_tables(glossary) + "\n":
        findings.append(
            Finding(
                GLOSSARY_PAGE,
                head.count("\n") + 1,
                "glossary-page",
                "the tables differ from docs/glossary.json: run make glossary",
            )
        )
    if GLOSSARY_PO.exists():
        wanted = glossary_translations(glossary)
        for entry in read_po(GLOSSARY_PO)[1]:
            if entry.msgid in wanted and entry.msgstr and entry.msgstr != wanted[entry.msgid]:
                findings.append(
                    Finding(
                        GLOSSARY_PO,
                        entry.line,
                        "glossary-po",
                        f"not the French of docs/glossary.json for "
                        f"{_excerpt(entry.msgid, 0, 40)}: run make glossary",
                    )
                )
    return findings


def write_glossary(glossary: Glossary, refresh: bool = True) -> None:
    page = GLOSSARY_PAGE.read_text(encoding="utf-8")
    head, _, tail = _page_parts(page)
    new = f"{head}{glossary_tables(glossary)}\n{tail}"
    if new != page:
        GLOSSARY_PAGE.write_text(new, encoding="utf-8")
        print(f"glossary: wrote the tables of {GLOSSARY_PAGE.relative_to(ROOT)}")
    if refresh:
        script = ROOT / "scripts" / "docs_translations.py"
        if subprocess.run([sys.executable, str(script), "update", "-q"], cwd=ROOT).returncode:
            raise SystemExit("glossary: make translations failed")
    if not GLOSSARY_PO.exists():
        print(f"glossary: {GLOSSARY_PO.relative_to(ROOT)} does not exist yet (make translations)")
        return
    wanted = glossary_translations(glossary)
    lines, entries = read_po(GLOSSARY_PO)
    changes = {}
    for entry in entries:
        if entry.msgid in wanted and entry.msgstr != wanted[entry.msgid]:
            changes[entry.span] = wanted[entry.msgid]
    if changes:
        write_msgstrs(GLOSSARY_PO, lines, changes)
    print(f"glossary: {len(changes)} message(s) of {GLOSSARY_PO.relative_to(ROOT)} filled")


# -- command line -----------------------------------------------------------------------
def _catalogues(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p).resolve() for p in paths]
    return sorted(PO_DIR.glob("*.po"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["check", "fix", "glossary"])
    parser.add_argument("po", nargs="*", help="catalogues (default: every French .po)")
    parser.add_argument(
        "--no-update", action="store_true", help="glossary: do not refresh the catalogues first"
    )
    args = parser.parse_args(argv)
    glossary = load_glossary()
    if args.command == "glossary":
        write_glossary(glossary, refresh=not args.no_update)
        return 0
    catalogues = _catalogues(args.po)
    if args.command == "fix":
        total = 0
        for path in catalogues:
            changed = fix_po(path)
            total += changed
            if changed:
                print(f"{path.name}: {changed} message(s) changed")
        print(f"french-typography: {total} message(s) changed in {len(catalogues)} catalogue(s)")
        return 0
    rules = term_rules(glossary)
    same_ok = frozenset(k for k, v in glossary_translations(glossary).items() if k == v)
    findings = [f for path in catalogues for f in check_po(path, rules, same_ok)]
    if not args.po:
        findings += check_glossary(glossary)
    for finding in findings:
        print(finding)
    count = Counter(f.rule for f in findings)
    summary = ", ".join(f"{rule} {n}" for rule, n in sorted(count.items()))
    if findings:
        print(
            f"check-french: FAILED, {len(findings)} finding(s) in {len(catalogues)} "
            f"catalogue(s): {summary}",
            file=sys.stderr,
        )
        return 1
    print(f"check-french: OK ({len(catalogues)} catalogue(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
