"""The encryption-key service: pages. Importing this package registers them."""

from app.pages.keys import audit, imports, reader, unit_list  # noqa: F401
