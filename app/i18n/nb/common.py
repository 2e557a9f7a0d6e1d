"""Norsk bokmål: text every page shares: the shell, navigation, landing page, roles, generic errors."""

TEXT: dict[str, str] = {
    "app.name": "Målerportalen",
    "app.tagline": "Strøm, fjernvarme og målerdata på ett sted",
    "nav.home": "Forside",
    "nav.customer": "Min side",
    "nav.keys": "Krypteringsnøkler",
    "nav.installer": "Installatør",
    "nav.staff": "Saksbehandling",
    "nav.ingest": "Innsamling",
    "nav.login": "Logg inn",
    "nav.logout": "Logg ut",
    "nav.menu": "Meny",
    "nav.language": "Språk",
    "nav.more": "Mer",
    "nav.sections": "Seksjoner",
    "landing.title": "Velkommen til Målerportalen",
    "landing.intro": (
        "Her finner du tjenestene rundt strøm- og fjernvarmemåleren din. Velg portalen som passer for deg."
    ),
    "portal.customer.title": "Min side",
    "portal.customer.body": (
        "For kunder: se forbruket ditt per år, måned, dag og time, fakturaer og profil. "
        "Logg inn med anleggsnummer, målepunkt-ID og mobilnummer."
    ),
    "portal.customer.link": "Logg inn på Min side",
    "portal.keys.title": "Krypteringsnøkler",
    "portal.keys.body": (
        "For distributører og nøkkellesere: AES-nøkler til målere og konsentratorer, "
        "og hvem som kan lese dem."
    ),
    "portal.keys.link": "Logg inn i nøkkeltjenesten",
    "portal.installer.title": "Installatørportalen",
    "portal.installer.body": (
        "For elektroinstallatører: forhåndsmeldinger til nettselskapet, "
        "oppslag av anleggsdata og innsending til godkjenning."
    ),
    "portal.installer.link": "Logg inn som installatør",
    "auth.denied": "Du må logge inn for å gjøre dette.",
    "auth.no_access": "Du har ikke tilgang til denne siden.",
    "auth.session_expired": "Økten din er utløpt. Logg inn på nytt.",
    "auth.signed_out": "Du er logget ut.",
    # customer sign-in (issue 3)
    "form.required": "Fyll ut dette feltet.",
    "form.invalid": "Noen felt må rettes.",
    "error.generic": "Noe gikk galt. Prøv igjen om litt.",
    "nav.account": "Konto",
    "nav.profile": "Profil",
    # consumption charts (issue 5)
    "nav.consumption": "Forbruk",
    "footer.text": "Målerportalen",
    # e-postkontoer, tilgangsforespørsler, administrasjon (issue 13)
    "nav.access": "Tilgang",
    "nav.admin": "Administrasjon",
    "role.customer": "Kunde",
    "role.key_reader": "Nøkkelleser",
    "role.distributor": "Distributør (superbruker)",
    "role.installer": "Installatør",
    "role.grid_staff": "Ansatt i nettselskap",
    "role.admin": "Administrator",
    "role.registered": "Registrert, ingen tilgang ennå",
    "footer.privacy": "Personvern",
    "footer.accessibility": "Tilgjengelighet",
    "about.privacy_intro": (
        "Slik behandler Målerportalen opplysningene dine. Dette er de samme vilkårene du godtar ved"
        " første innlogging på Min side."
    ),
    "about.accessibility_title": "Tilgjengelighetserklæring",
    "about.accessibility_goal": (
        "Målerportalen skal kunne brukes av alle, med mus, berøring, tastatur alene eller "
        "skjermleser, og følge WCAG 2.1 nivå AA."
    ),
    "about.accessibility_checked": (
        "Hver side testes automatisk med axe-core på mobil (375 px) og skjerm (1440 px) før en "
        "endring tas i bruk, og skjemaene testes med tastatur."
    ),
    "about.accessibility_contact": (
        "Finner du noe som ikke virker for deg, ta kontakt med kundeservice hos netteselskapet "
        "ditt, så retter vi det."
    ),
    "not_found.title": "Fant ikke siden",
    "not_found.body": "Adressen finnes ikke, eller siden er flyttet.",
    "not_found.home": "Til forsiden",
}
