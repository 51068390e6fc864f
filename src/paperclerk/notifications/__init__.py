"""Notifications for every product line: events → the in-app list, e-mail, webhooks (see ``plugin.py``)."""
