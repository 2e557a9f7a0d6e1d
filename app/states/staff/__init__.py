"""The grid company's back office: states."""
