"""Messages to people: SMS (``notify.sms``); mail comes later."""
