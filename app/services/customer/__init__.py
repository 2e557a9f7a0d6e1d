"""Min side: services."""
