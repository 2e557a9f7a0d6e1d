"""Norsk bokmål: the grid company's back office: queues and ingestion status."""

TEXT: dict[str, str] = {
    "staff.customers": "Kunder",
    "staff.relationships": "Kundeforhold",
    "staff.meters": "Målere",
    "staff.readings": "Avlesninger",
    "staff.newest_reading": "Nyeste avlesning",
    "ingest.title": "Innsamling",
    "ingest.source": "Kilde",
    "ingest.kind": "Type",
    "ingest.data": "Data",
    "ingest.state": "Tilstand",
    "ingest.last_frame": "Siste ramme",
    "ingest.frames_ok": "Rammer ok",
    "ingest.frames_bad": "Rammer feil",
    "ingest.readings_stored": "Avlesninger lagret",
    "ingest.lag": "Forsinkelse",
    # issue 9: data truth (stored, duplicate and refused readings apart; heat in kWh)
    "ingest.readings_duplicate": "Allerede lagret",
    "ingest.readings_rejected": "Avvist",
    # issue 10 (ingest-security): frames of keyed meters that did not arrive encrypted
    "ingest.frames_refused": "Rammer avvist (ukryptert)",
    "ingest.none": "Ingen kilder har rapportert ennå.",
    "ingest.none_how": "Kildene rapporterer når innsamlingen kjører: start arbeideren (python -m app.ingest serial, mbus, mqtt eller wmbus) ved målerne, eller fyll inn demodata med «make demo-ingest».",
    # issue 25: several workers on several hosts, each reporting (or not), and outages
    "ingest.worker": "Arbeider",
    "ingest.group": "Gruppe",
    "ingest.messages": "Meldinger",
    "ingest.last_message": "Siste melding",
    "ingest.spool": "Venter i spool",
    "ingest.last_report": "Siste rapport",
    "ingest.silent": "Har sluttet å rapportere",
    "ingest.outage": "Siste databasebrudd",
    "ingest.outage_ongoing": "pågår",
}
