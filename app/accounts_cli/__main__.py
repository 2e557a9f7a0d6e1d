"""``python -m app.accounts_cli create-admin EMAIL``: the only way to make an administrator.

Prints the activation link (24 hours, single use) instead of mailing it: the first
administrator may be setting up the very mail server the portal would use.
"""

from __future__ import annotations

import argparse
import sys

from app.db import session_scope
from app.i18n import translate
from app.services.accounts.accounts import create_admin
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.accounts_cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create an administrator, print the activation link")
    admin.add_argument("email")
    admin.add_argument("--language", default="nb", choices=["nb", "sv", "en"])
    args = parser.parse_args(argv)
    try:
        with session_scope() as db:
            link = create_admin(db, args.email, language=args.language)
    except FieldErrors as error:
        print(translate(next(iter(error.errors.values())), "en"), file=sys.stderr)
        return 2
    except DomainError as error:
        print(error.message("en"), file=sys.stderr)
        return 2
    print(f"Administrator {args.email.strip().lower()} created. Activation link (24 hours, single use):")
    print(link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
