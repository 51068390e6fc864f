"""Worker threads extract PDFs at the same time: pdfium must never be entered by two threads at once.

Without the lock this crashed the process (SIGSEGV) every time, so it runs in a child process:
a crash there is a failed test, not a dead test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import sys, tempfile, threading
    from pathlib import Path
    from paperclerk import samples
    from paperclerk.extraction.base import Limits
    from paperclerk.extraction.extract import extract

    folder = Path(tempfile.mkdtemp())
    paths = []
    for i in range(40):
        path = folder / f"{i}.pdf"
        path.write_bytes(samples.text_pdf([f"Document {i} page {n} " + "words " * 300 for n in range(3)]))
        paths.append(path)
    problems = []

    def work():
        try:
            for _ in range(3):
                for path in paths:
                    assert len(extract(path, "application/pdf", allow_ocr=False, limits=Limits()).pages) == 3
        except Exception as exc:
            problems.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(problems)
    sys.exit(1 if problems else 0)
''')


def test_concurrent_pdf_extraction_does_not_crash():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr[-2000:]}"
