"""The installer portal and the processing of pre-notifications: states."""
