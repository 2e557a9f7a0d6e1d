"""Pages of the e-mail accounts (issue 13)."""
