"""E-mail accounts: pages. Importing this package registers them."""

from app.pages.accounts import access, admin, forms  # noqa: F401
