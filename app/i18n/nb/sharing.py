"""Norsk bokmål: Min side, sharing a customer relationship with another person (issue 27)."""

TEXT: dict[str, str] = {
    "title.customer_sharing": "Del tilgang",
    "sharing.title": "Del tilgang",
    "sharing.intro": (
        "Gi en annen person tilgang til å se forbruk og fakturaer for dette kundeforholdet, "
        "for en periode. De ser aldri profilen, passord, HAN-bestillinger eller deling."
    ),
    "sharing.mobile": "Mobilnummeret til personen",
    "sharing.mobile_hint": "Norsk eller svensk mobilnummer. Personen får en SMS med lenke.",
    "sharing.scope": "Hva kan de se?",
    "sharing.scope_consumption": "Forbruk",
    "sharing.scope_invoices": "Fakturaer",
    "sharing.until": "Til og med",
    "sharing.until_hint": "Høyst to år fram. Ett år hvis du ikke velger.",
    "sharing.submit": "Del tilgang",
    "sharing.granted": "{mobile} har fått tilgang og får en SMS.",
    "sharing.list_title": "Hvem har tilgang",
    "sharing.none": "Du har ikke delt dette kundeforholdet med noen.",
    "sharing.active_count.one": "{count} person har tilgang nå.",
    "sharing.active_count.other": "{count} personer har tilgang nå.",
    "sharing.since": "Fra {date} til og med {until}",
    "sharing.seen": "Sett av {mobile} {date}",
    "sharing.never_seen": "Ikke brukt ennå",
    "sharing.sees": "Ser: {what}",
    "sharing.status.active": "Aktiv",
    "sharing.status.revoked": "Trukket tilbake {date}",
    "sharing.status.given_back": "Gitt tilbake {date}",
    "sharing.status.expired": "Utløpt {date}",
    "sharing.status.ended": "Avsluttet {date} (kundeforholdet er avsluttet)",
    "sharing.revoke": "Trekk tilbake",
    "sharing.revoke_label": "Trekk tilbake tilgangen til {mobile}",
    "sharing.revoke_title": "Trekke tilbake tilgangen?",
    "sharing.revoke_text": "Personen mister tilgangen med en gang, også på sider de har åpne.",
    "sharing.revoked": "Tilgangen er trukket tilbake.",
    "sharing.cancel": "Avbryt",
    "sharing.shared_by": "Delt av {name}",
    "sharing.shared_until": "Delt av {name} til og med {date}",
    "sharing.shared_note": (
        "{name} har delt dette kundeforholdet med deg. Du ser ikke profilen eller HAN-bestillingene til det."
    ),
    "sharing.give_back": "Gi tilbake tilgangen",
    "sharing.given_back": "Du har gitt tilbake tilgangen.",
    "sharing.profile_link": "Del tilgang med en annen",
    "sharing.access_ended": ("Tilgangen som var delt med deg, er avsluttet. Du ser den ikke lenger."),
    "sharing.not_shared": (
        "Dette kundeforholdet er delt med deg. Profil, HAN-bestillinger og deling er bare for eieren."
    ),
    "sharing.mobile_not_nordic": "Du kan bare dele med et norsk eller svensk mobilnummer.",
    "sharing.until_invalid": "Skriv en gyldig dato.",
    "sharing.until_past": "Datoen kan ikke være passert.",
    "sharing.until_too_late": "Du kan dele i høyst to år.",
    "sharing.choose_scope": "Velg minst én ting personen kan se.",
    "sharing.not_yourself": "Dette er ditt eget mobilnummer.",
    "sharing.already_shared": "Dette mobilnummeret har allerede tilgang.",
    "sharing.too_many": "Du kan dele med høyst {count} personer samtidig. Trekk tilbake en tilgang først.",
    "sharing.relationship_ended": "Kundeforholdet er avsluttet og kan ikke deles.",
    "sharing.not_active": "Denne tilgangen er ikke aktiv lenger.",
    "sharing.not_shared_with_you": "Dette kundeforholdet er ditt eget, ikke delt med deg.",
    "sms.sharing_invitation": (
        "{name} har delt kundeforholdet for {address} med deg på Min side, til og med {until}. "
        "Logg inn med mobilnummeret ditt: {link}"
    ),
    "customer.shared_login": "Delt med meg",
    "customer.shared_login_intro": (
        "Har noen delt et kundeforhold med deg? Logg inn med mobilnummeret ditt, så sender vi deg en kode."
    ),
    "customer.shared_mobile": "Mobilnummeret ditt",
    "customer.shared_send_code": "Send kode",
}
