"""Full-text search: SQLite FTS5 when embedded, PostgreSQL tsvector + GIN when scaled out."""
