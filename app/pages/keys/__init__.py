"""The encryption-key service: pages. Importing this package registers them."""

from app.pages.keys import audit, imports, reader, transfers, unit_list  # noqa: F401
