"""mypy is part of the test run: ``mypy src`` (the configuration in pyproject.toml) finds no error."""

from __future__ import annotations

import re
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_type_errors() -> None:
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary",
                                str(ROOT / "src" / "paperclerk")])
    assert status in (0, 1), err or out  # 2: mypy itself failed
    errors = [line for line in out.splitlines() if re.search(r":\d+: error:", line)]
    assert not errors, "\n".join(errors)
