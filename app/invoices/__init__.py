"""``python -m app.invoices import DIR``: invoices and their PDFs from the billing system (issue 26)."""
