"""The shared core: settings-aware database, blob storage, jobs, events and errors."""
