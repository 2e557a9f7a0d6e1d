"""HAN port orders: states."""
