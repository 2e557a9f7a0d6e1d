"""The ingestion worker: sources -> decoders -> readings -> store. Imports no Reflex."""
