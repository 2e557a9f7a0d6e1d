"""Messages to people: SMS (``notify.sms``) and e-mail (``notify.mail``)."""
