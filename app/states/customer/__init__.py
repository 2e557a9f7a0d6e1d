"""Min side: states."""
