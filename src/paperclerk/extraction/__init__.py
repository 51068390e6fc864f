"""Text out of files: one extractor per media type, each giving pages of text with positions."""
