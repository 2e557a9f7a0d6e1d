"""``python -m app.prices import FILE``: day-ahead spot prices from a downloaded file (issue 26)."""
