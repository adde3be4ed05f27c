"""Serving the store: the SPARQL endpoint, entity and document pages, and the command line."""
