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
    # customer sign-in (issue 3)
    "form.required": "Fyll ut dette feltet.",
    "form.invalid": "Noen felt må rettes.",
    "mobile.invalid": "Dette er ikke et gyldig mobilnummer.",
    "login.consent_required": "Du må samtykke for å fortsette.",
    "login.no_match": (
        "Vi fant ingen kunde med disse opplysningene. "
        "Sjekk anleggsnummer, målepunkt-ID og mobilnummer."
    ),
    "login.too_many_attempts": "For mange innloggingsforsøk. Prøv igjen om en time.",
    "login.bad_credentials": "Feil mobilnummer eller passord.",
    "login.locked": "For mange feil passord. Kontoen er låst i {minutes} minutter.",
    "login.no_relationship": (
        "Ingen kundeforhold er knyttet til kontoen. "
        "Logg inn med anleggsnummer og målepunkt-ID."
    ),
    "otp.format": "Koden har 6 siffer.",
    "otp.wrong": "Feil kode. Du har {tries_left} forsøk igjen.",
    "otp.locked": "For mange feil forsøk. Be om en ny kode.",
    "otp.expired": "Koden er utløpt. Be om en ny kode.",
    "otp.invalid": "Koden gjelder ikke lenger. Be om en ny kode.",
    "sms.login_code": "{code} er koden din for å logge inn på Min side. Den gjelder i 5 minutter.",
    "sms.too_many": "Vi har sendt for mange SMS-er. Vent litt før du ber om en ny kode.",
    "sms.resend_wait": "Du kan be om en ny kode om {seconds} sekunder.",
    "sms.invalid_number": "SMS-en kunne ikke sendes: mobilnummeret tar ikke imot SMS.",
    "sms.busy": "SMS-tjenesten har mye å gjøre akkurat nå. Prøv igjen om litt.",
    "sms.failed": "SMS-en kunne ikke sendes. Prøv igjen om litt.",
    "password.too_short": "Passordet må ha minst 8 tegn.",
    "password.too_long": "Passordet kan ha høyst 256 tegn.",
    "password.common": "Dette passordet er for vanlig. Velg et annet.",
    "password.mismatch": "Passordene er ikke like.",
    "password.wrong": "Feil passord.",
    "account.exists": "Det finnes allerede en konto for dette mobilnummeret.",
    "account.required": "Opprett en konto med passord for å gjøre dette.",
    "account.no_mobile": "Kundeforholdet har ikke noe mobilnummer registrert.",
    "login.title": "Logg inn",
    "login.coming": "Innlogging for denne portalen kommer snart.",
    "error.generic": "Noe gikk galt. Prøv igjen om litt.",
    "staff.customers": "Kunder",
    "staff.relationships": "Kundeforhold",
    "staff.meters": "Målere",
    "staff.readings": "Avlesninger",
    "staff.newest_reading": "Nyeste avlesning",
    "footer.text": "Målerportalen · personvern · tilgjengelighet",
}
