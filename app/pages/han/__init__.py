"""HAN port orders: pages."""
