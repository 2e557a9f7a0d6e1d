"""English."""

TEXT: dict[str, str] = {
    "app.name": "Meter portal",
    "app.tagline": "Electricity, district heating and meter data in one place",
    "nav.home": "Home",
    "nav.customer": "My page",
    "nav.keys": "Encryption keys",
    "nav.installer": "Installer",
    "nav.han": "HAN port",
    "nav.staff": "Case handling",
    "nav.login": "Sign in",
    "nav.logout": "Sign out",
    "nav.menu": "Menu",
    "nav.language": "Language",
    "landing.title": "Welcome to the meter portal",
    "landing.intro": (
        "The services around your electricity and district-heating meter. "
        "Choose the portal that fits you."
    ),
    "portal.customer.title": "My page",
    "portal.customer.body": (
        "For customers: your consumption per year, month, day and hour, invoices and profile. "
        "Sign in with installation number, metering point ID and mobile number."
    ),
    "portal.customer.link": "Sign in to My page",
    "portal.keys.title": "Encryption keys",
    "portal.keys.body": (
        "For distributors and key readers: AES keys of meters and concentrators, "
        "read rights and transfers between organisations."
    ),
    "portal.keys.link": "Sign in to the key service",
    "portal.installer.title": "Installer portal",
    "portal.installer.body": (
        "For electricians: pre-notifications to the grid company, "
        "installation data look-up and sending for approval."
    ),
    "portal.installer.link": "Sign in as installer",
    "portal.han.title": "HAN port",
    "portal.han.body": (
        "For owners of an electricity meter: order opening or closing of the HAN port "
        "and follow the order."
    ),
    "portal.han.link": "Order HAN port opening",
    "auth.denied": "You need to sign in to do this.",
    "auth.session_expired": "Your session has expired. Please sign in again.",
    "auth.signed_out": "You are signed out.",
    # customer sign-in (issue 3)
    "form.required": "Please fill in this field.",
    "form.invalid": "Some fields need correcting.",
    "mobile.invalid": "That is not a valid mobile number.",
    "login.consent_required": "You must consent to continue.",
    "login.no_match": (
        "We found no customer with these details. "
        "Check the installation number, metering point ID and mobile number."
    ),
    "login.too_many_attempts": "Too many sign-in attempts. Please try again in an hour.",
    "login.bad_credentials": "Wrong mobile number or password.",
    "login.locked": "Too many wrong passwords. The account is locked for {minutes} minutes.",
    "login.no_relationship": (
        "No customer relationship is linked to the account. "
        "Sign in with installation number and metering point ID."
    ),
    "otp.format": "The code has 6 digits.",
    "otp.wrong": "Wrong code. You have {tries_left} tries left.",
    "otp.locked": "Too many wrong tries. Please request a new code.",
    "otp.expired": "The code has expired. Please request a new code.",
    "otp.invalid": "This code is no longer valid. Please request a new code.",
    "sms.login_code": "{code} is your code to sign in to My page. It is valid for 5 minutes.",
    "sms.too_many": "We have sent too many text messages. Please wait before asking for a new code.",
    "sms.resend_wait": "You can ask for a new code in {seconds} seconds.",
    "sms.invalid_number": "The text message could not be sent: the number cannot receive SMS.",
    "sms.busy": "The SMS service is busy right now. Please try again shortly.",
    "sms.failed": "The text message could not be sent. Please try again shortly.",
    "password.too_short": "The password must have at least 8 characters.",
    "password.too_long": "The password can have at most 256 characters.",
    "password.common": "This password is too common. Please choose another.",
    "password.mismatch": "The passwords do not match.",
    "password.wrong": "Wrong password.",
    "account.exists": "An account already exists for this mobile number.",
    "account.required": "Create an account with a password to do this.",
    "account.no_mobile": "The customer relationship has no mobile number on record.",
    "login.title": "Sign in",
    "login.coming": "Sign-in for this portal is coming soon.",
    "error.generic": "Something went wrong. Please try again shortly.",
    "staff.customers": "Customers",
    "staff.relationships": "Customer relationships",
    "staff.meters": "Meters",
    "staff.readings": "Readings",
    "staff.newest_reading": "Newest reading",
    "footer.text": "Meter portal · privacy · accessibility",
}
