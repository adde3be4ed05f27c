"""Records to RDF, and the Oxigraph store that holds them (one named graph per source file)."""
