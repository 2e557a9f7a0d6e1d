"""Readings -> consumption: hourly values from registers and their local-time roll-ups, and
prices and cost (``tariffs``: grid tariffs, taxes and heat prices as data with validity periods).
"""
