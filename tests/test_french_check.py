"""The checker and the fixer of the French catalogues (scripts/check_french.py).

Each rule catches a sample fault, the fixer repairs it, a second fix changes nothing,
and math, code, roles and links are never touched.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
NNBSP, NBSP = "\u202f", "\u00a0"


def _load() -> ModuleType:
    path = ROOT / "scripts" / "check_french.py"
    spec = importlib.util.spec_from_file_location("check_french", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


cf = _load()
GLOSSARY = cf.load_glossary()
RULES = cf.term_rules(GLOSSARY)


def rules_hit(msgid: str, msgstr: str) -> list[str]:
    return [rule for rule, _ in cf.check_message(msgid, msgstr, RULES)]


# -- typography: fault caught, fix passes, fix is idempotent ---------------------------
TYPOGRAPHY_CASES = [
    ("punct-space", "Note: x", "Remarque : x", f"Remarque{NNBSP}: x"),
    ("punct-space", "Why? Because", "Pourquoi? Parce que", f"Pourquoi{NNBSP}? Parce que"),
    ("punct-space", "a; b", f"a{NBSP}; b", f"a{NNBSP}; b"),
    ("punct-space", "`f`: g", "`f`: g", f"`f`{NNBSP}: g"),
    ("guillemets", '"valid"', "« valide »", f"«{NNBSP}valide{NNBSP}»"),
    ("guillemets", '"valid"', "«valide»", f"«{NNBSP}valide{NNBSP}»"),
    (
        "english-quotes",
        'a "third dimension"',
        'une "troisième dimension"',
        f"une «{NNBSP}troisième dimension{NNBSP}»",
    ),
    ("unit-space", "25 % of", "25 % des", f"25{NBSP}% des"),
    ("unit-space", "25% of", "25% des", f"25{NBSP}% des"),
    ("unit-space", "about 25 GB", "environ 25 Go", f"environ 25{NBSP}Go"),
    ("unit-space", "0.2 s", "0,2 s", f"0,2{NBSP}s"),
    ("decimal-point", "momentum 0.9", "une inertie de 0.9", "une inertie de 0,9"),
    ("digit-groups", "64000 products", "64000 produits", f"64{NNBSP}000 produits"),
    ("english-thousands", "4,000 signals", "4,000 signaux", f"4{NNBSP}000 signaux"),
]


@pytest.mark.parametrize(("rule", "msgid", "faulty", "fixed"), TYPOGRAPHY_CASES)
def test_typography_rule_catches_and_fixer_repairs(
    rule: str, msgid: str, faulty: str, fixed: str
) -> None:
    assert rule in rules_hit(msgid, faulty)
    repaired = cf.fix_typography(faulty, msgid)
    assert repaired == fixed
    assert rule not in rules_hit(msgid, repaired)
    assert cf.fix_typography(repaired, msgid) == repaired


def test_fixer_leaves_math_code_roles_and_links_alone() -> None:
    msgid = (
        "With $\\eta = 0.05$ and $a : b$, ``x = 1.5; y`` and `z ? w`, see "
        "{ref}`page: linear <page-linear>`, :math:`0.5` and https://example.org/a?b=1:2."
    )
    msgstr = (
        "Avec $\\eta = 0.05$ et $a : b$, ``x = 1.5; y`` et `z ? w`, voir "
        "{ref}`page: linéaire <page-linear>`, :math:`0.5` et https://example.org/a?b=1:2."
    )
    fixed = cf.fix_typography(msgstr, msgid)
    assert fixed == msgstr
    assert rules_hit(msgid, msgstr) == []


@pytest.mark.parametrize(
    "text",
    [
        "PyTorch 2.13 et Sphinx 9.0",
        "MathJax 3.2.2",
        "un rapport 1:2 ou 10:30",
        "?!",
        "l'an 2026, 1797 images",
    ],
)
def test_typography_exceptions_are_not_faults(text: str) -> None:
    assert rules_hit(text, text + " ") == []


def test_elision_after_a_number_is_not_a_unit() -> None:
    text = "un pas de 1 s'y applique"
    assert "unit-space" not in rules_hit("a stride of 1 applies", text)


def test_correct_french_passes_every_rule() -> None:
    msgstr = (
        f"Le coût{NNBSP}: une somme{NNBSP}; «{NNBSP}valide{NNBSP}» à 25{NBSP}% "
        f"près, 0,2{NBSP}s, 64{NNBSP}000 coefficients, $x = 0.5$."
    )
    msgid = "The loss: a sum; 'valid' to 25 %, 0.2 s, 64000 entries, $x = 0.5$."
    assert rules_hit(msgid, msgstr) == []
    assert cf.fix_typography(msgstr, msgid) == msgstr


# -- identity with the English ------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "msgid", "msgstr"),
    [
        ("same-math", "Then $z = x W$.", "Alors $z = W x$."),
        ("same-math", "At :math:`x = 0`.", "En :math:`x = 1`."),
        ("same-roles", "See {ref}`page-linear`.", "Voir {ref}`page-losses`."),
        ("same-roles", "The :class:`Module`.", "Le :class:`Loss`."),
        ("same-code", "Call `forward(X)`.", "Appeler `forward(x)`."),
        ("same-code", "Call ``zero_grad()``.", "Appeler zero_grad()."),
        ("same-links", "[MyST](https://myst.org)", "[MyST](https://myst.fr)"),
    ],
)
def test_changed_math_role_code_or_link_is_caught(rule: str, msgid: str, msgstr: str) -> None:
    assert rule in rules_hit(msgid, msgstr)


def test_order_and_role_titles_may_change() -> None:
    msgid = "Both $a$ and $b$, in {ref}`the linear page <page-linear>`."
    msgstr = "$b$ comme $a$, dans {ref}`la page linéaire <page-linear>`."
    assert rules_hit(msgid, msgstr) == []


# -- glossary terms -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("The test accuracy is 97 %.", f"La précision de test vaut 97{NBSP}%."),
        ("SGD with momentum 0.9.", "SGD avec un moment de 0,9."),
        ("the outer product $s^\\top s$", "le produit extérieur $s^\\top s$"),
        ("That derivation belongs here.", "Cette dérivation a sa place ici."),
        ("PyTorch runs one fused kernel.", "PyTorch exécute un seul noyau fusionné."),
        ("workers threads spin", "les fils tournent à vide"),
        ("Yield the triples.", "Produit les triplets."),
        ("`BCELoss` clamps each logarithm.", "`BCELoss` minore chaque logarithme."),
        ("an element-wise product", "un produit élément par élément"),
        ("the forward pass", "la passe avant"),
        ("the training set", "le jeu d'entraînement"),
        ("in closed form", "sous forme de formule explicite"),
    ],
)
def test_forbidden_glossary_word_is_caught(msgid: str, msgstr: str) -> None:
    assert "glossary-term" in rules_hit(msgid, msgstr)


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("The test accuracy is 97 %.", f"L'exactitude de test vaut 97{NBSP}%."),
        ("accuracy, not float precision", "exactitude, pas la précision du flottant"),
        ("SGD with momentum 0.9.", "SGD avec une inertie de 0,9."),
        ("momentum, unlike Adam's moments", "l'inertie, contrairement aux moments d'Adam"),
        ("One derivation with the chain rule.", "Un calcul avec la règle de dérivation en chaîne."),
        ("The kernel of width 3.", "Le noyau de largeur 3."),
        ("worker threads spin", "les fils d'exécution tournent à vide"),
        ("Yield the triples.", "Renvoie successivement les triplets."),
        ("Yield one product.", "Renvoie successivement un produit."),
    ],
)
def test_glossary_term_used_rightly_passes(msgid: str, msgstr: str) -> None:
    assert "glossary-term" not in rules_hit(msgid, msgstr)


@pytest.mark.parametrize(
    "term", [t for t in GLOSSARY["terms"] if t.get("avoid")], ids=lambda t: t["en"]
)
def test_every_forbidden_word_of_the_glossary_is_checked(term: dict) -> None:
    english = (term.get("en_forms") or [term["en"]])[0].replace("*", "")
    context = " ".join(c.replace("*", "") for c in term.get("context_en", [])[:1])
    msgid = f"About the {english} {context}."
    for word in term["avoid"]:
        assert "glossary-term" in rules_hit(msgid, f"À propos {word}."), word
    preferred = term["fr"].split(", ")[0].split(" (")[0]
    assert "glossary-term" not in rules_hit(msgid, f"À propos : {preferred}.")


def test_english_word_left_untranslated_is_a_term_fault() -> None:
    assert "glossary-term" in rules_hit("Momentum", "Momentum")


def test_english_column_of_the_glossary_is_not_a_term_fault() -> None:
    same_ok = frozenset(["momentum"])
    assert list(cf.check_message("momentum", "momentum", RULES, same_ok)) == []


# -- .po files: completeness, fixing in place ------------------------------------------
PO = """# header comment
msgid ""
msgstr ""
"Language: fr\\n"

msgid "Note: a sum"
msgstr "Remarque : une somme"

#, fuzzy
msgid "Old"
msgstr "Ancien"

msgid "New"
msgstr ""

#, python-brace-format
msgid "Two\\nlines; {ref}`x`"
msgstr ""
"Deux\\n"
"lignes ; {ref}`x`"
"""


def test_untranslated_and_fuzzy_messages_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "page.po"
    path.write_text(PO, encoding="utf-8")
    found = {(f.rule, f.line) for f in cf.check_po(path, RULES)}
    assert ("fuzzy", 11) in found
    assert ("untranslated", 14) in found
    assert ("punct-space", 7) in found


def test_fix_po_rewrites_only_msgstrs_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "page.po"
    path.write_text(PO, encoding="utf-8")
    assert cf.fix_po(path) == 2
    text = path.read_text(encoding="utf-8")
    assert f'msgstr "Remarque{NNBSP}: une somme"' in text
    assert f'"lignes{NNBSP}; {{ref}}`x`"' in text
    before, after = PO.splitlines(), text.splitlines()
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [6, 19]  # the two msgstr lines, nothing else
    assert cf.fix_po(path) == 0
    assert path.read_text(encoding="utf-8") == text
    assert not [f for f in cf.check_po(path, RULES) if f.rule == "punct-space"]


def test_po_reader_reads_back_what_it_writes(tmp_path: Path) -> None:
    path = tmp_path / "page.po"
    path.write_text(PO, encoding="utf-8")
    lines, entries = cf.read_po(path)
    msgstrs = {e.msgid: e.msgstr for e in entries}
    assert msgstrs["Two\nlines; {ref}`x`"] == "Deux\nlignes ; {ref}`x`"
    assert [e.fuzzy for e in entries if e.msgid == "Old"] == [True]
    cf.write_msgstrs(path, lines, {e.span: e.msgstr for e in entries if e.msgid and e.msgstr})
    assert path.read_text(encoding="utf-8") == PO


# -- the glossary page and its data ---------------------------------------------------
def test_glossary_page_matches_its_data() -> None:
    assert [str(f) for f in cf.check_glossary(GLOSSARY)] == []


def test_glossary_data_is_complete() -> None:
    data = json.loads((ROOT / "docs" / "glossary.json").read_text(encoding="utf-8"))
    for term in data["terms"]:
        assert term["en"] and term["fr"] and term["definition"] and term["definition_fr"]
        if term.get("avoid"):
            assert term["why"] and term["why_fr"], term["en"]
