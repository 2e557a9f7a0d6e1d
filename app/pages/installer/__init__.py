"""The installer portal and the processing of pre-notifications: pages."""

from app.pages.installer import (  # noqa: F401
    new_notification,
    notification_form,
    notification_list,
    print_version,
)
