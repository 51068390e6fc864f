"""The one place where domain modules are wired in: their tables, tasks and analyzers.

A new product line adds its modules here; nothing else imports a domain by name.
"""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "paperclerk.core.jobs",
    "paperclerk.core.events",
    "paperclerk.documents.models",
    "paperclerk.auth.models",
    "paperclerk.invoices.models",
)
#: Modules that register tasks and analyzers when imported.
TASK_MODULES = ("paperclerk.pipeline.run", "paperclerk.invoices.analyzer")


def load() -> None:
    for module in (*MODEL_MODULES, *TASK_MODULES):
        importlib.import_module(module)
