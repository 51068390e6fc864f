from __future__ import annotations

from paperclerk import samples
from paperclerk.extraction import base
from paperclerk.extraction.extract import extract
from paperclerk.extraction.sniff import detect_media_type


def test_write_samples_is_deterministic_and_readable(tmp_path):
    first = samples.write_samples(tmp_path / "a")
    second = samples.write_samples(tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    types = {path.name: detect_media_type(path) for path in first}
    assert sorted(types.values()) == sorted([base.PDF, base.PDF, base.PNG, base.DOCX, base.TEXT, base.EMAIL])
    for path in first:
        if path.suffix not in (".png",) and "scan" not in path.name:
            extraction = extract(path, types[path.name], allow_ocr=False, limits=base.Limits())
            assert extraction.text.strip()
    mail = extract(tmp_path / "a" / "invoice-mail.eml", base.EMAIL, allow_ocr=False, limits=base.Limits())
    assert mail.attachments[0].data == (tmp_path / "a" / "invoice-2024-0317.pdf").read_bytes()


def test_docx_samples_do_not_depend_on_the_clock(monkeypatch):
    import time

    first = samples.docx(["Same words"])
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # another day: zip entries would record it
    assert samples.docx(["Same words"]) == first
