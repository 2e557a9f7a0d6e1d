"""HAN port orders: services."""
