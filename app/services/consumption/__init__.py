"""Readings -> consumption: hourly values from registers and their local-time roll-ups, prices and cost.

Not part of any portal: the ingestion worker, the demo and the customer charts all read it.
One module per job: ``local_time`` (the utility's calendar), ``derivation`` (pure: registers
-> hours -> days -> months), ``rollups`` (the SQL the ingestion worker and the demo run),
``capacity_tariff`` (the capacity tariff's steps and its three-highest-hours rule),
``tariffs`` (grid tariffs, taxes and heat prices as data with validity periods), ``prices``
(day-ahead spot prices from the utility's files).
"""
