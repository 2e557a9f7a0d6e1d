"""Readings -> consumption: hourly values from registers and their local-time roll-ups, prices and cost.

Not part of any portal: the ingestion worker, the demo and the customer charts all read it.
One module per job: ``local_time`` (the utility's calendar), ``derivation`` (pure: registers
-> hours -> days -> months), ``rollups`` (the SQL the ingestion worker and the demo run),
``capacity_tariff`` (the capacity tariff's steps and its three-highest-hours rule),
``tariffs`` (grid tariffs, taxes and heat prices as data with validity periods), ``prices``
(day-ahead spot prices from the utility's files), ``cost`` (what an hour costs), ``cost_rollups``
(what a day and a month cost, stored) and ``repricing`` (what a change of prices reprices).
"""

# The stored cost's commit hook, registered wherever prices or tariffs can change (the price
# import's command line imports nothing else of the roll-ups).
from app.services.consumption import cost_rollups  # noqa: F401
