"""E-mail accounts: pages. Importing this package registers them."""

from app.pages.accounts import access, admin, forms, portal_start  # noqa: F401
