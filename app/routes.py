"""Route constants: one place that names every page."""

HOME = "/"
PRIVACY = "/personvern"
ACCESSIBILITY = "/tilgjengelighet"
# Reflex serves this page for any address that matches no route.
NOT_FOUND = "404"
CUSTOMER_LOGIN = "/min-side/logg-inn"
CUSTOMER_HOME = "/min-side"
KEYS_LOGIN = "/nokler/logg-inn"
KEYS_HOME = "/nokler"
# encryption-key service (issue 14)
KEYS_IMPORT = "/nokler/import"
KEYS_AUDIT = "/nokler/logg"
KEYS_READER = "/nokler/mine"
KEYS_TRANSFERS = "/nokler/overforinger"
INSTALLER_LOGIN = "/installator/logg-inn"
INSTALLER_HOME = "/installator"
STAFF_HOME = "/saksbehandling"
STAFF_INGEST = "/saksbehandling/innsamling"
CUSTOMER_PROFILE = "/min-side/profil"
CUSTOMER_CONSUMPTION = "/min-side/forbruk"
# sharing a customer relationship with another person (issue 27)
CUSTOMER_SHARING = "/min-side/deling"
# e-mail accounts (issue 13)
ACCOUNT_LOGIN = "/konto/logg-inn"
ACCOUNT_REGISTER = "/konto/registrer"
ACCOUNT_ACTIVATE = "/konto/aktiver"
ACCOUNT_FORGOT = "/konto/glemt-passord"
ACCOUNT_RESET = "/konto/nytt-passord"
ACCOUNT_ACCESS = "/konto/tilgang"
STAFF_LOGIN = "/saksbehandling/logg-inn"
ADMIN_HOME = "/admin"
# installer portal (issue 15); a notification's page takes ?id=
INSTALLER_NEW = "/installator/ny"
INSTALLER_NOTIFICATION = "/installator/anmelding"
INSTALLER_PRINT = "/installator/anmelding/utskrift"
STAFF_NOTIFICATIONS = "/saksbehandling/foranmeldinger"
STAFF_NOTIFICATION = "/saksbehandling/foranmelding"
# HAN port orders: the customer's page, the grid company's queue and one order (?id=)
CUSTOMER_HAN = "/min-side/han"
CUSTOMER_INVOICES = "/min-side/fakturaer"
STAFF_HAN = "/saksbehandling/han"
STAFF_HAN_ORDER = "/saksbehandling/han/bestilling"
# the grid company's back office and its own settings (issue 24); a customer's page takes ?id=
STAFF_CUSTOMERS = "/saksbehandling/kunder"
STAFF_CUSTOMER = "/saksbehandling/kunde"
STAFF_SETTINGS = "/saksbehandling/innstillinger"
STAFF_TARIFFS = "/saksbehandling/innstillinger/tariffer"
# Every form's native action (issue 20.7): a POST here accepts nothing. Forms are submitted by
# their on_submit handler; before the page's scripts take over, a native submit must never
# put the fields into a URL.
NO_NATIVE_SUBMIT = "/skjema-uten-skript"
