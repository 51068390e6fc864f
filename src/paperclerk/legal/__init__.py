"""The legal document analysis line: cases, a versioned document registry, clauses and entities with evidence."""
