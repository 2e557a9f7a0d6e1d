"""Svenska: the grid company's back office: queues and ingestion status."""

TEXT: dict[str, str] = {
    "staff.customers": "Kunder",
    "staff.relationships": "Kundförhållanden",
    "staff.meters": "Mätare",
    "staff.readings": "Avläsningar",
    "staff.newest_reading": "Senaste avläsning",
    "ingest.title": "Insamling",
    "ingest.source": "Källa",
    "ingest.kind": "Typ",
    "ingest.data": "Data",
    "ingest.state": "Tillstånd",
    "ingest.last_frame": "Senaste ram",
    "ingest.frames_ok": "Ramar ok",
    "ingest.frames_bad": "Felaktiga ramar",
    "ingest.readings_stored": "Sparade avläsningar",
    "ingest.lag": "Fördröjning",
    "ingest.none": "Inga källor har rapporterat ännu.",
    "ingest.none_how": "Källorna rapporterar när insamlingen körs: starta arbetaren (python -m app.ingest serial, mbus, mqtt eller wmbus) vid mätarna, eller fyll på med demodata med ”make demo-ingest”.",
    # issues 8, 9, 10: privacy terms, ingest counters, sign-in re-checks
    "ingest.readings_duplicate": "Redan sparade",
    "ingest.readings_rejected": "Avvisade",
    "ingest.frames_refused": "Ramar avvisade (okrypterade)",
}
