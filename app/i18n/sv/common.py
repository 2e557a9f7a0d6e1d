"""Svenska: text every page shares: the shell, navigation, landing page, roles, generic errors."""

TEXT: dict[str, str] = {
    "app.name": "Mätarportalen",
    "app.tagline": "El, fjärrvärme och mätardata på ett ställe",
    "nav.home": "Startsida",
    "nav.customer": "Mina sidor",
    "nav.keys": "Krypteringsnycklar",
    "nav.installer": "Installatör",
    "nav.staff": "Ärendehantering",
    "nav.ingest": "Insamling",
    "nav.login": "Logga in",
    "nav.logout": "Logga ut",
    "nav.menu": "Meny",
    "nav.language": "Språk",
    "nav.more": "Mer",
    "nav.sections": "Sektioner",
    "landing.title": "Välkommen till Mätarportalen",
    "landing.intro": (
        "Här hittar du tjänsterna kring din el- och fjärrvärmemätare. Välj den portal som passar dig."
    ),
    "portal.customer.title": "Mina sidor",
    "portal.customer.body": (
        "För kunder: se din förbrukning per år, månad, dag och timme, fakturor och profil. "
        "Logga in med anläggningsnummer, mätpunkts-ID och mobilnummer."
    ),
    "portal.customer.link": "Logga in på Mina sidor",
    "portal.keys.title": "Krypteringsnycklar",
    "portal.keys.body": (
        "För distributörer och nyckelläsare: AES-nycklar till mätare och koncentratorer, "
        "och vem som får läsa dem."
    ),
    "portal.keys.link": "Logga in i nyckeltjänsten",
    "portal.installer.title": "Installatörsportalen",
    "portal.installer.body": (
        "För elinstallatörer: föranmälningar till nätbolaget, "
        "uppslag av anläggningsdata och insändning för godkännande."
    ),
    "portal.installer.link": "Logga in som installatör",
    "auth.denied": "Du måste logga in för att göra detta.",
    "auth.no_access": "Du har inte behörighet till den här sidan.",
    "auth.session_expired": "Din session har gått ut. Logga in igen.",
    "auth.signed_out": "Du är utloggad.",
    # customer sign-in (issue 3)
    "form.required": "Fyll i det här fältet.",
    "form.invalid": "Några fält behöver rättas.",
    "error.generic": "Något gick fel. Försök igen om en stund.",
    "nav.account": "Konto",
    "nav.profile": "Profil",
    # consumption charts (issue 5)
    "nav.consumption": "Förbrukning",
    "footer.text": "Mätarportalen",
    # e-postkonton, behörighetsförfrågningar, administration (issue 13)
    "nav.access": "Behörighet",
    "nav.admin": "Administration",
    "role.customer": "Kund",
    "role.key_reader": "Nyckelläsare",
    "role.distributor": "Distributör (superanvändare)",
    "role.installer": "Installatör",
    "role.grid_staff": "Anställd på nätbolag",
    "role.admin": "Administratör",
    "role.registered": "Registrerad, ingen behörighet ännu",
    "footer.privacy": "Integritet",
    "footer.accessibility": "Tillgänglighet",
    "about.privacy_intro": (
        "Så behandlar Målerportalen dina uppgifter. Det är samma villkor som du godkänner vid "
        "första inloggningen på Min side."
    ),
    "about.accessibility_title": "Tillgänglighetsredogörelse",
    "about.accessibility_goal": (
        "Målerportalen ska kunna användas av alla, med mus, pekskärm, enbart tangentbord eller "
        "skärmläsare, och följa WCAG 2.1 nivå AA."
    ),
    "about.accessibility_checked": (
        "Varje sida testas automatiskt med axe-core på mobil (375 px) och skärm (1440 px) innan en "
        "ändring tas i bruk, och formulären testas med tangentbord."
    ),
    "about.accessibility_contact": (
        "Hittar du något som inte fungerar för dig, kontakta kundservice hos ditt nätbolag så rättar vi det."
    ),
    "not_found.title": "Sidan hittades inte",
    "not_found.body": "Adressen finns inte, eller så har sidan flyttats.",
    "not_found.home": "Till startsidan",
}
