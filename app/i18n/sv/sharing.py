"""Svenska: Mina sidor, sharing a customer relationship with another person (issue 27)."""

TEXT: dict[str, str] = {
    "title.customer_sharing": "Dela åtkomst",
    "sharing.title": "Dela åtkomst",
    "sharing.intro": (
        "Ge en annan person åtkomst till förbrukning och fakturor för den här kundrelationen "
        "under en period. De ser aldrig profilen, lösenord, HAN-beställningar eller delning."
    ),
    "sharing.mobile": "Personens mobilnummer",
    "sharing.mobile_hint": "Norskt eller svenskt mobilnummer. Personen får ett sms med länk.",
    "sharing.scope": "Vad får de se?",
    "sharing.scope_consumption": "Förbrukning",
    "sharing.scope_invoices": "Fakturor",
    "sharing.until": "Till och med",
    "sharing.until_hint": "Högst två år framåt. Ett år om du inte väljer.",
    "sharing.submit": "Dela åtkomst",
    "sharing.granted": "{mobile} har fått åtkomst och får ett sms.",
    "sharing.list_title": "Vem har åtkomst",
    "sharing.none": "Du har inte delat den här kundrelationen med någon.",
    "sharing.active_count.one": "{count} person har åtkomst nu.",
    "sharing.active_count.other": "{count} personer har åtkomst nu.",
    "sharing.since": "Från {date} till och med {until}",
    "sharing.seen": "Sedd av {mobile} {date}",
    "sharing.never_seen": "Inte använd ännu",
    "sharing.sees": "Ser: {what}",
    "sharing.status.active": "Aktiv",
    "sharing.status.revoked": "Återkallad {date}",
    "sharing.status.given_back": "Återlämnad {date}",
    "sharing.status.expired": "Utgången {date}",
    "sharing.status.ended": "Avslutad {date} (kundrelationen har upphört)",
    "sharing.revoke": "Återkalla",
    "sharing.revoke_label": "Återkalla åtkomsten för {mobile}",
    "sharing.revoke_title": "Återkalla åtkomsten?",
    "sharing.revoke_text": "Personen förlorar åtkomsten direkt, även på sidor de har öppna.",
    "sharing.revoked": "Åtkomsten är återkallad.",
    "sharing.cancel": "Avbryt",
    "sharing.shared_by": "Delad av {name}",
    "sharing.shared_until": "Delad av {name} till och med {date}",
    "sharing.shared_note": (
        "{name} har delat den här kundrelationen med dig. Du ser inte dess profil eller HAN-beställningar."
    ),
    "sharing.give_back": "Lämna tillbaka åtkomsten",
    "sharing.given_back": "Du har lämnat tillbaka åtkomsten.",
    "sharing.profile_link": "Dela åtkomst med någon annan",
    "sharing.access_ended": "Åtkomsten som delades med dig har upphört. Du ser den inte längre.",
    "sharing.not_shared": (
        "Den här kundrelationen är delad med dig. Profil, HAN-beställningar och delning är bara för ägaren."
    ),
    "sharing.mobile_not_nordic": "Du kan bara dela med ett norskt eller svenskt mobilnummer.",
    "sharing.until_invalid": "Skriv ett giltigt datum.",
    "sharing.until_past": "Datumet kan inte ha passerat.",
    "sharing.until_too_late": "Du kan dela i högst två år.",
    "sharing.choose_scope": "Välj minst en sak som personen får se.",
    "sharing.not_yourself": "Det här är ditt eget mobilnummer.",
    "sharing.already_shared": "Det här mobilnumret har redan åtkomst.",
    "sharing.too_many": "Du kan dela med högst {count} personer samtidigt. Återkalla en åtkomst först.",
    "sharing.relationship_ended": "Kundrelationen har upphört och kan inte delas.",
    "sharing.not_active": "Den här åtkomsten är inte aktiv längre.",
    "sharing.not_shared_with_you": "Den här kundrelationen är din egen, inte delad med dig.",
    "sms.sharing_invitation": (
        "{name} har delat kundrelationen för {address} med dig på Mina sidor, till och med {until}. "
        "Logga in med ditt mobilnummer: {link}"
    ),
    "customer.shared_login": "Delad med mig",
    "customer.shared_login_intro": (
        "Har någon delat en kundrelation med dig? Logga in med ditt mobilnummer, så skickar vi en kod."
    ),
    "customer.shared_mobile": "Ditt mobilnummer",
    "customer.shared_send_code": "Skicka kod",
}
