"""The document pipeline: extract → classify → analyze → index → route, knowing no domain."""
