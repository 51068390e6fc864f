"""The unseen split of generated invoices (tests/invoices/world_styles.py): styles written after the reader's rules
and never tuned against. The floor guards the measured figure (0.92 when the split was written) against decay."""

from __future__ import annotations

from pathlib import Path

from paperclerk.invoices.file_report import analyze_file
from tests.invoices import regression_styles, world_styles


def test_unseen_world_styles_read_at_least_85_percent(tmp_path: Path) -> None:
    right = seen = 0
    for doc in world_styles.documents(2):
        path = tmp_path / f"{doc.name}.pdf"
        path.write_bytes(regression_styles.pdf(doc))
        fields = analyze_file(path)["fields"]
        for name in world_styles.FIELDS:
            expected = doc.expected.get(name)
            if expected is not None:
                seen += 1
                right += str(expected) == str(fields.get(name))
    assert right / seen >= 0.85, (right, seen)
