"""Min side, consumption: hourly values from registers, their local-time roll-ups, the charts.

One module per job: ``local_time`` (the utility's calendar), ``derivation`` (pure: registers
-> hours -> days -> months), ``rollups`` (the SQL the ingestion worker and the demo run),
``access`` (the signed-in customer's meter), ``charts`` (what a chart tap reads),
``capacity_tariff`` and ``exports``.
"""
