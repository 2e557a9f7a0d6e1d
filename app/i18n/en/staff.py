"""English: the grid company's back office: queues and ingestion status."""

TEXT: dict[str, str] = {
    "staff.customers": "Customers",
    "staff.relationships": "Customer relationships",
    "staff.meters": "Meters",
    "staff.readings": "Readings",
    "staff.newest_reading": "Newest reading",
    "ingest.title": "Data collection",
    "ingest.source": "Source",
    "ingest.kind": "Kind",
    "ingest.data": "Data",
    "ingest.state": "State",
    "ingest.last_frame": "Last frame",
    "ingest.frames_ok": "Frames ok",
    "ingest.frames_bad": "Frames bad",
    "ingest.readings_stored": "Readings stored",
    "ingest.lag": "Lag",
    # issue 10 (ingest-security): frames of keyed meters that did not arrive encrypted
    "ingest.frames_refused": "Frames refused (unencrypted)",
    "ingest.none": "No source has reported yet.",
    "ingest.none_how": "Sources report once collection runs: start the worker (python -m app.ingest serial, mbus, mqtt or wmbus) next to the meters, or feed demo data with \"make demo-ingest\".",
    # issue 9: data truth (stored, duplicate and refused readings apart; heat in kWh)
    "ingest.readings_duplicate": "Already stored",
    "ingest.readings_rejected": "Refused",
    # issue 25: several workers on several hosts, each reporting (or not), and outages
    "ingest.worker": "Worker",
    "ingest.group": "Group",
    "ingest.messages": "Messages",
    "ingest.last_message": "Last message",
    "ingest.spool": "Waiting in spool",
    "ingest.last_report": "Last report",
    "ingest.silent": "Stopped reporting",
    "ingest.outage": "Last database outage",
    "ingest.outage_ongoing": "ongoing",
}
