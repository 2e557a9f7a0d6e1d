"""Min side, consumption: what the signed-in customer's charts and exports read.

``access`` (the signed-in customer's meter), ``charts`` (what a chart tap reads),
``capacity_tariff`` (the customer's capacity basis) and ``exports``. The consumption itself
(local time, derivation, roll-ups, the tariff's steps) is its own domain: app/services/consumption/.
"""
