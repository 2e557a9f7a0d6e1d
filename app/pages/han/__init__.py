"""HAN port orders: pages. Importing this package registers them."""

from app.pages.han import customer, staff  # noqa: F401
