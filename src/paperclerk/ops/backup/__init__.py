"""Backups: a consistent snapshot of the database and of every stored file, with a manifest of hashes, optionally
encrypted, written to a directory or an S3 bucket; verified, restored into an empty instance, pruned by age."""
