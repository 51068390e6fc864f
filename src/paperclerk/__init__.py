"""paperclerk: documents in, checked, searchable, reviewable data out."""

__version__ = "0.1.0"
