"""Plain-Python domain logic. Never imports Reflex."""
