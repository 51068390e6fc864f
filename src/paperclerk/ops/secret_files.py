"""Settings read from files: ``PAPERCLERK_<NAME>_FILE`` names a file (a Docker or Kubernetes secret) whose content
is the value of ``PAPERCLERK_<NAME>``, so passwords and keys need not sit in the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

SUFFIX = "_FILE"


class SecretFilesSource(PydanticBaseSettingsSource):
    """Values from the files named by ``<prefix><NAME>_FILE``; a file wins over the plain variable."""

    def __init__(self, settings_cls: type[BaseSettings], prefix: str) -> None:
        super().__init__(settings_cls)
        self.prefix = prefix.upper()

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = f"{self.prefix}{field_name.upper()}{SUFFIX}"
        path = os.environ.get(variable) or os.environ.get(variable.lower())
        if not path:
            return None, field_name, False
        try:
            # A trailing newline is how editors and `echo` end files; it is never part of a secret.
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n"), field_name, False
        except OSError as exc:
            raise ValueError(f"{variable} names {path}, which cannot be read: {exc.strerror}") from exc

    def __call__(self) -> dict[str, Any]:
        fields = self.settings_cls.model_fields
        values: dict[str, Any] = {}
        for name, field in fields.items():
            if f"{name}_file" in fields:  # a setting with a file field of its own (secret_key_file) reads it itself
                continue
            value, _, _ = self.get_field_value(field, name)
            if value is not None:
                values[name] = value
        return values
