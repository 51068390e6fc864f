"""The product lines paperclerk runs, and the one place that names them.

``LINE_MODULES`` lists each line's ``plugin`` module (exporting ``LINE: ProductLine``); the setting
``PAPERCLERK_EXTRA_LINES`` (comma-separated module paths) adds lines installed outside this package. The app,
the CLI, the page shell, the classifier, the permission table and the migrations loop over :func:`lines`.
``CORE_PLUGIN_MODULES`` are packages of the core that serve every line but plug in the same way (their tables,
routes, pages, permissions, events and migration branch): they come first.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from paperclerk.core.lines import ProductLine

CORE_PLUGIN_MODULES = ("paperclerk.notifications.plugin",)
LINE_MODULES = ("paperclerk.invoices.plugin", "paperclerk.legal_billing.plugin", "paperclerk.legal.plugin",
                "paperclerk.judgments.plugin", "paperclerk.feedback.plugin")

#: The core's tables, and the modules that register its tasks, before any line's.
CORE_MODEL_MODULES = (
    "paperclerk.core.jobs",
    "paperclerk.core.events",
    "paperclerk.core.audit",
    "paperclerk.documents.models",
    "paperclerk.auth.models",
    "paperclerk.ai.models",
    "paperclerk.search.models",
)
CORE_TASK_MODULES = ("paperclerk.pipeline.run",)


@lru_cache
def lines() -> tuple[ProductLine, ...]:
    """The core's plug-in packages, then every product line in the order listed (then the extra ones); names are
    unique."""
    from paperclerk.config import get_settings

    found: list[ProductLine] = []
    for module_name in (*CORE_PLUGIN_MODULES, *LINE_MODULES, *get_settings().extra_lines):
        line = getattr(importlib.import_module(module_name), "LINE", None)
        if not isinstance(line, ProductLine):
            raise TypeError(f"{module_name} must define LINE = ProductLine(...)")
        if any(other.name == line.name for other in found):
            raise ValueError(f"two product lines are called {line.name!r} ({module_name})")
        found.append(line)
    return tuple(found)


def load() -> None:
    """Import every table and every task/analyzer registration (the core's, then each line's)."""
    for module in (*CORE_MODEL_MODULES, *CORE_TASK_MODULES):
        importlib.import_module(module)
    for line in lines():
        for module in (*line.model_modules, *line.task_modules):
            importlib.import_module(module)
