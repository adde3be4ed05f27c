"""Text to typed records: reading archive pages, finding names, resolving them, reading events.

Nothing here knows RDF; `graph` turns these records into triples.
"""
