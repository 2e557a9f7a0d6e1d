"""The password rules of e-mail accounts: one definition, shown live on the form and checked here.

``assets/password_rules.js`` evaluates the same rules in the browser while the person types;
``tests/services/accounts/test_password_policy.py`` proves both give the same answers.
Character classes are Unicode general categories, so both languages agree on every letter.
"""

from __future__ import annotations

import re
import unicodedata

from app.services import passwords
from app.services.form_errors import FieldErrors

MIN_LENGTH = 10
# Parts of an e-mail's local part or a name shorter than this are too common to forbid.
MIN_PERSONAL_PART = 3

# In display order; the keys name the rules on the form (data-rule) and in the texts.
RULES = ("length", "lower", "upper", "digit", "special", "not_you")

_SEPARATORS = re.compile(r"[^\w]|_", re.UNICODE)


def _category(char: str) -> str:
    return unicodedata.category(char)


def personal_parts(email: str, name: str) -> list[str]:
    """What "you" means: the e-mail's local part, its pieces, and the words of the name."""
    local = email.strip().split("@", 1)[0].lower()
    pieces = [local, *_SEPARATORS.split(local), *_SEPARATORS.split(name.strip().lower())]
    return [piece for piece in dict.fromkeys(pieces) if len(piece) >= MIN_PERSONAL_PART]


def rule_results(password: str, email: str = "", name: str = "") -> dict[str, bool]:
    """Every rule -> met or not, for this password of this person."""
    lowered = password.lower()
    return {
        "length": len(password) >= MIN_LENGTH,
        "lower": any(_category(c) == "Ll" for c in password),
        "upper": any(_category(c) == "Lu" for c in password),
        "digit": any(_category(c) == "Nd" for c in password),
        "special": any(_category(c)[0] in "PS" for c in password),
        "not_you": bool(password) and not any(part in lowered for part in personal_parts(email, name)),
    }


def validate_account_password(
    password: str,
    password_again: str,
    *,
    email: str,
    name: str = "",
    field: str = "password",
    field_again: str = "password_again",
) -> None:
    """Raise FieldErrors unless every rule is met, the password is not common, and typed twice."""
    errors: dict[str, str] = {}
    unmet = [rule for rule, met in rule_results(password, email, name).items() if not met]
    if unmet:
        errors[field] = f"password_rule.{unmet[0]}"
    elif len(password) > passwords.MAX_LENGTH:
        errors[field] = "password.too_long"
    elif passwords.is_common_password(password):
        errors[field] = "password.common"
    if password != password_again:
        errors[field_again] = "password.mismatch"
    if errors:
        raise FieldErrors(errors)
