"""Norsk bokmål."""

TEXT: dict[str, str] = {
    "app.name": "Målerportalen",
    "app.tagline": "Strøm, fjernvarme og målerdata på ett sted",
    "nav.home": "Forside",
    "nav.customer": "Min side",
    "nav.keys": "Krypteringsnøkler",
    "nav.installer": "Installatør",
    "nav.han": "HAN-port",
    "nav.staff": "Saksbehandling",
    "nav.login": "Logg inn",
    "nav.logout": "Logg ut",
    "nav.menu": "Meny",
    "nav.language": "Språk",
    "landing.title": "Velkommen til Målerportalen",
    "landing.intro": (
        "Her finner du tjenestene rundt strøm- og fjernvarmemåleren din. "
        "Velg portalen som passer for deg."
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
        "lesetilganger og overføringer mellom organisasjoner."
    ),
    "portal.keys.link": "Logg inn i nøkkeltjenesten",
    "portal.installer.title": "Installatørportalen",
    "portal.installer.body": (
        "For elektroinstallatører: forhåndsmeldinger til nettselskapet, "
        "oppslag av anleggsdata og innsending til godkjenning."
    ),
    "portal.installer.link": "Logg inn som installatør",
    "portal.han.title": "HAN-porten",
    "portal.han.body": (
        "For eiere av en strømmåler: bestill åpning eller stenging av HAN-porten "
        "og følg bestillingen."
    ),
    "portal.han.link": "Bestill åpning av HAN-port",
    "auth.denied": "Du må logge inn for å gjøre dette.",
    "auth.session_expired": "Økten din er utløpt. Logg inn på nytt.",
    "auth.signed_out": "Du er logget ut.",
    "login.title": "Logg inn",
    "login.coming": "Innlogging for denne portalen kommer snart.",
    "error.generic": "Noe gikk galt. Prøv igjen om litt.",
    "footer.text": "Målerportalen · personvern · tilgjengelighet",
}
