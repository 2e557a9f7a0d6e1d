"""The grid company's back office: services."""
