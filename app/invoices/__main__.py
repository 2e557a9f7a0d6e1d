"""``python -m app.invoices import DIR [--skip-invalid]``: the billing system's invoices.

Reads every ``*.json`` and ``*.csv`` in DIR (see app/services/customer/invoices.py for the fields)
and the PDFs they name, copied under ``INVOICE_DIR``. Idempotent; every invalid record is printed
and nothing of its file is written, unless ``--skip-invalid``. Exit status 0 when every file was
imported, 1 when one was refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.db import session_scope
from app.services.caller import process_caller
from app.services.customer.invoices import import_invoice_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.invoices",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("import", help="import invoices and their PDFs from a folder")
    command.add_argument("folder", type=Path)
    command.add_argument("--skip-invalid", action="store_true", help="import the valid records of a file")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder}: not a folder", file=sys.stderr)
        return 2
    with session_scope() as db:
        report = import_invoice_dir(db, process_caller(), args.folder, skip_invalid=args.skip_invalid)
    for where, what in report.errors:
        print(f"{where}: {what}", file=sys.stderr)
    refused = ", ".join(report.refused_files) or "none"
    print(
        f"{report.files} files, {report.records} records: {report.new} new, {report.status_changed} "
        f"updated, {report.unchanged} unchanged; refused files: {refused}"
    )
    return 1 if report.refused_files else 0


if __name__ == "__main__":
    sys.exit(main())
