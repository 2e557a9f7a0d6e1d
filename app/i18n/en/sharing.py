"""English: My page, sharing a customer relationship with another person (issue 27)."""

TEXT: dict[str, str] = {
    "title.customer_sharing": "Share access",
    "sharing.title": "Share access",
    "sharing.intro": (
        "Let another person see the consumption and invoices of this customer relationship, "
        "for a while. They never see the profile, passwords, HAN orders or sharing."
    ),
    "sharing.mobile": "The person's mobile number",
    "sharing.mobile_hint": "A Norwegian or Swedish mobile. The person gets an SMS with a link.",
    "sharing.scope": "What may they see?",
    "sharing.scope_consumption": "Consumption",
    "sharing.scope_invoices": "Invoices",
    "sharing.until": "Until and including",
    "sharing.until_hint": "At most two years ahead. One year unless you choose.",
    "sharing.submit": "Share access",
    "sharing.granted": "{mobile} now has access and gets an SMS.",
    "sharing.list_title": "Who has access",
    "sharing.none": "You have not shared this customer relationship with anyone.",
    "sharing.active_count.one": "{count} person has access now.",
    "sharing.active_count.other": "{count} people have access now.",
    "sharing.since": "From {date} until {until}",
    "sharing.seen": "Seen by {mobile} on {date}",
    "sharing.never_seen": "Not used yet",
    "sharing.sees": "Sees: {what}",
    "sharing.status.active": "Active",
    "sharing.status.revoked": "Revoked {date}",
    "sharing.status.given_back": "Given back {date}",
    "sharing.status.expired": "Expired {date}",
    "sharing.status.ended": "Ended {date} (the customer relationship ended)",
    "sharing.revoke": "Revoke",
    "sharing.revoke_label": "Revoke the access of {mobile}",
    "sharing.revoke_title": "Revoke the access?",
    "sharing.revoke_text": "The person loses access at once, also on pages they have open.",
    "sharing.revoked": "The access is revoked.",
    "sharing.cancel": "Cancel",
    "sharing.shared_by": "Shared by {name}",
    "sharing.shared_until": "Shared by {name} until {date}",
    "sharing.shared_note": (
        "{name} has shared this customer relationship with you. You do not see its profile or HAN orders."
    ),
    "sharing.give_back": "Give the access back",
    "sharing.given_back": "You have given the access back.",
    "sharing.profile_link": "Share access with someone",
    "sharing.access_ended": "The access shared with you has ended. You no longer see it.",
    "sharing.not_shared": (
        "This customer relationship is shared with you. The profile, HAN orders and sharing "
        "are for its owner only."
    ),
    "sharing.mobile_not_nordic": "You can only share with a Norwegian or Swedish mobile number.",
    "sharing.until_invalid": "Enter a valid date.",
    "sharing.until_past": "The date cannot be in the past.",
    "sharing.until_too_late": "You can share for at most two years.",
    "sharing.choose_scope": "Choose at least one thing the person may see.",
    "sharing.not_yourself": "This is your own mobile number.",
    "sharing.already_shared": "This mobile number already has access.",
    "sharing.too_many": "You can share with at most {count} people at a time. Revoke one first.",
    "sharing.relationship_ended": "The customer relationship has ended and cannot be shared.",
    "sharing.not_active": "This access is no longer active.",
    "sharing.not_shared_with_you": "This customer relationship is your own, not shared with you.",
    "sms.sharing_invitation": (
        "{name} has shared the customer relationship at {address} with you on My page, until {until}. "
        "Sign in with your mobile number: {link}"
    ),
    "customer.shared_login": "Shared with me",
    "customer.shared_login_intro": (
        "Has someone shared a customer relationship with you? Sign in with your mobile number "
        "and we send you a code."
    ),
    "customer.shared_mobile": "Your mobile number",
    "customer.shared_send_code": "Send code",
}
