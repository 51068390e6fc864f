"""Server-rendered pages for people: upload, document list with live status, document page, search, audit trail."""
