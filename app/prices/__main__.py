"""``python -m app.prices import FILE [FILE ...]``: day-ahead spot prices from the utility's files.

ENTSO-E's A44 price document (XML) or a CSV ``zone,start,end,price,currency,unit`` (see
app/services/consumption/prices.py). EUR prices need a rate: an ``eur_nok`` column in the CSV,
``--rates FILE`` (CSV ``date,eur_nok``, Norges Bank's daily rate) or ``--eur-nok RATE``.
Idempotent; every invalid line is printed, and nothing of a file is written while it has one,
unless ``--skip-invalid``. Exit status 0 when every file was imported, 1 when one was refused.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.db import session_scope
from app.services.caller import process_caller
from app.services.consumption.prices import PriceFileError, import_spot_prices, parse_rate_file


def _rate(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as error:
        raise argparse.ArgumentTypeError(f"not a rate: {text}") from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.prices", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("import", help="import day-ahead prices from files")
    command.add_argument("files", nargs="+", type=Path)
    command.add_argument("--eur-nok", type=_rate, help="one EUR->NOK rate for every EUR price")
    command.add_argument("--rates", type=Path, help="CSV date,eur_nok: the rate of each banking day")
    command.add_argument("--skip-invalid", action="store_true", help="import the valid lines of a file")
    args = parser.parse_args(argv)
    try:
        rates = parse_rate_file(args.rates.read_text("utf-8")) if args.rates else None
    except (OSError, PriceFileError) as error:
        print(f"rates: {error}", file=sys.stderr)
        return 2
    status = 0
    caller = process_caller()
    for path in args.files:
        try:
            with session_scope() as db:
                report = import_spot_prices(
                    db, caller, path, eur_nok=args.eur_nok, rates=rates, skip_invalid=args.skip_invalid
                )
        except (OSError, PriceFileError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            status = 1
            continue
        for where, what in report.errors:
            print(f"{path}: {where}: {what}", file=sys.stderr)
        if report.written:
            skipped = f", {len(report.errors)} invalid skipped" if report.errors else ""
            print(
                f"{path}: {report.hours} hours ({report.new} new, {report.changed} changed, "
                f"{report.unchanged} unchanged){skipped}"
            )
        else:
            print(
                f"{path}: not imported, {len(report.errors)} invalid (--skip-invalid imports the rest)",
                file=sys.stderr,
            )
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
