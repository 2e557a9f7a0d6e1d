"""Min side: pages. Importing this package registers them."""

from app.pages.customer import consumption, login, overview, profile, sharing  # noqa: F401
