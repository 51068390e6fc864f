"""Offline analysis of one legal document's text: its type, entities, CUAD clauses, risks and deadlines."""
