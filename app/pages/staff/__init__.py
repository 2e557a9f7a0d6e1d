"""The grid company's back office: pages. Importing this package registers them."""

from app.pages.staff import customers, grid_settings, ingest_status, notifications, start, tariffs  # noqa: F401
