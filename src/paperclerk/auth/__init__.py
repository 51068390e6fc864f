"""Identity and access: organisations, users, roles, API keys, tokens, sessions, audit trail.

Wiring (app, plugins, CLI) is described in each module; nothing here is imported by the core.
"""
