"""English: UI text, one module per area (see ``app.i18n.AREAS``)."""
