"""Command line for e-mail accounts: ``python -m app.accounts create-admin EMAIL``."""
