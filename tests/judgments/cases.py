"""Case files for the judgment tests, written in code."""

from __future__ import annotations

from pathlib import Path

from docx import Document as DocxDocument

TENANCY_FACTS = (
    "The appellant was a tenant of the respondent under a lease deed dated 12 March 2015. The respondent filed a "
    "suit for eviction under Section 14 of the Delhi Rent Control Act, 1958 alleging bona fide requirement. The trial "
    "court decreed the suit and the High Court dismissed the revision petition of the appellant.\n\n"
    "The question for determination is whether the landlord established a bona fide requirement of the premises.\n"
)
TENANCY_ARGUMENTS = (
    "Learned counsel for the appellant argued that the respondent owned other suitable accommodation. Counsel for "
    "the respondent submitted that the landlord is the best judge of his requirement."
)


def tenancy_case(folder: Path) -> Path:
    """A folder case: the facts as text, the submissions as DOCX."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "facts.txt").write_text(TENANCY_FACTS)
    document = DocxDocument()
    document.add_paragraph(TENANCY_ARGUMENTS)
    document.save(str(folder / "submissions.docx"))
    return folder
