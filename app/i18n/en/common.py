"""English: text every page shares: the shell, navigation, landing page, roles, generic errors."""

TEXT: dict[str, str] = {
    "app.name": "Meter portal",
    "app.tagline": "Electricity, district heating and meter data in one place",
    "nav.home": "Home",
    "nav.customer": "My page",
    "nav.keys": "Encryption keys",
    "nav.installer": "Installer",
    "nav.staff": "Case handling",
    "nav.ingest": "Data collection",
    "nav.login": "Sign in",
    "nav.logout": "Sign out",
    "nav.menu": "Menu",
    "nav.language": "Language",
    "nav.more": "More",
    "nav.sections": "Sections",
    "landing.title": "Welcome to the meter portal",
    "landing.intro": (
        "The services around your electricity and district-heating meter. Choose the portal that fits you."
    ),
    "portal.customer.title": "My page",
    "portal.customer.body": (
        "For customers: your consumption per year, month, day and hour, invoices and profile. "
        "Sign in with installation number, metering point ID and mobile number."
    ),
    "portal.customer.link": "Sign in to My page",
    "portal.keys.title": "Encryption keys",
    "portal.keys.body": (
        "For distributors and key readers: AES keys of meters and concentrators, and who may read them."
    ),
    "portal.keys.link": "Sign in to the key service",
    "portal.installer.title": "Installer portal",
    "portal.installer.body": (
        "For electricians: pre-notifications to the grid company, "
        "installation data look-up and sending for approval."
    ),
    "portal.installer.link": "Sign in as installer",
    "auth.denied": "You need to sign in to do this.",
    "auth.no_access": "You do not have access to this page.",
    "auth.session_expired": "Your session has expired. Please sign in again.",
    "auth.signed_out": "You are signed out.",
    # customer sign-in (issue 3)
    "form.required": "Please fill in this field.",
    "form.invalid": "Some fields need correcting.",
    "error.generic": "Something went wrong. Please try again shortly.",
    "nav.account": "Account",
    "nav.profile": "Profile",
    # consumption charts (issue 5)
    "nav.consumption": "Consumption",
    "footer.text": "Meter portal",
    # e-mail accounts, access requests, administration (issue 13)
    "nav.access": "Access",
    "nav.admin": "Administration",
    "role.customer": "Customer",
    "role.key_reader": "Key reader",
    "role.distributor": "Distributor (superuser)",
    "role.installer": "Installer",
    "role.grid_staff": "Grid-company staff",
    "role.admin": "Administrator",
    "role.registered": "Registered, no access yet",
    "footer.privacy": "Privacy",
    "footer.accessibility": "Accessibility",
    "about.privacy_intro": (
        "How Målerportalen handles your data. These are the same terms you accept at your first "
        "sign-in to Min side."
    ),
    "about.accessibility_title": "Accessibility statement",
    "about.accessibility_goal": (
        "Målerportalen is meant to be usable by everyone, by mouse, touch, keyboard alone or screen"
        " reader, and to meet WCAG 2.1 level AA."
    ),
    "about.accessibility_checked": (
        "Every page is checked automatically with axe-core on a phone (375 px) and a desktop (1440 "
        "px) before a change goes live, and the forms are tested by keyboard."
    ),
    "about.accessibility_contact": (
        "If something does not work for you, contact your grid company's customer service and we will fix it."
    ),
    "not_found.title": "Page not found",
    "not_found.body": "The address does not exist, or the page has moved.",
    "not_found.home": "To the start page",
}
