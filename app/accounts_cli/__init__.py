"""Command line for e-mail accounts: ``python -m app.accounts_cli create-admin EMAIL``."""
