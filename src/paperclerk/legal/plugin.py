"""The legal document line as the core sees it: the kinds contract, pleading, judgment, correspondence and statute,
its tables, analyzer, saved-search task, routers, pages, ``paperclerk legal cases …`` commands, navigation,
permissions, events and migrations (see ``paperclerk.core.lines``)."""

from __future__ import annotations

from paperclerk.core.lines import DocumentKind, EventType, NavItem, Permission, ProductLine

KINDS = (
    DocumentKind("contract", "Contract", {
        "agreement": 1.5, "this agreement": 3, "hereinafter": 2, "the parties": 2, "witnesseth": 3,
        "governing law": 2, "in witness whereof": 3, "termination": 1, "indemnif\\w*": 1, "confidentiality": 1,
        "contrat": 2, "vertrag": 2, "overeenkomst": 2, "contrato": 2, "lease": 1, "licensee": 1.5, "licensor": 1.5,
        "lessee": 1.5, "lessor": 1.5, "employee shall": 2, "effective date": 1.5,
    }),
    DocumentKind("pleading", "Pleading", {
        "plaintiffs?": 2, "defendants?": 2, "complaint": 1.5, "motion (?:to|for)": 2, "comes now": 3,
        "prayer for relief": 3, "petitioner": 1.5, "respondent": 1, "cause of action": 2, "case no": 1,
        "demandeur": 2, "kläger": 2, "memorandum of law": 2, "respectfully (?:requests|submits)": 2,
    }),
    DocumentKind("judgment", "Judgment", {
        "judgm?ent": 2, "it is (?:hereby )?ordered": 3, "the court finds": 3, "so ordered": 3, "ruling": 1,
        "decision": 1, "jugement": 3, "urteil": 3, "vonnis": 3, "sentencia": 3, "opinion of the court": 3,
        "appeal (?:is )?(?:allowed|dismissed)": 3, "court of appeals?": 1.5,
    }),
    DocumentKind("correspondence", "Legal correspondence", {
        "dear (?:sir|madam|mr|ms|mrs|counsel)": 3, "yours (?:sincerely|faithfully|truly)": 3,
        "without prejudice": 3, "we write": 2, "further to (?:your|our)": 2, "on behalf of our client": 3,
        "kind regards": 1.5, "re:": 1, "letter before (?:action|claim)": 3, "cease and desist": 3,
    }),
    DocumentKind("statute", "Statute", {
        "be it enacted": 4, "this act may be cited": 4, "section \\d+": 1, "subsection": 1.5, "chapter \\d+": 1,
        "short title": 2, "enacted by": 2, "commencement": 1.5, "regulation \\(eu\\)": 3, "hereby amended": 2,
        "article \\d+": 1, "interpretation": 1,
    }),
)

_DOCUMENT_PAGE = "/legal/documents/{subject_id}"
EVENTS = (
    EventType("legal.analysis_complete", "The analysis of a case's document is complete", in_app=True,
              link=_DOCUMENT_PAGE,
              titles=("Analysis complete: {filename} in case {case_number}", "Analysis complete: {filename}")),
    EventType("legal.search_complete", "A saved legal search finished running", link="/legal/searches/{subject_id}",
              permission="search:read"),
)

LINE = ProductLine(
    name="legal",
    title="Legal documents: cases, registry, analysis and search",
    package="paperclerk.legal",
    model_modules=("paperclerk.legal.models",),
    task_modules=("paperclerk.legal.analyzer", "paperclerk.legal.searches"),
    api_routers=("paperclerk.legal.api:router",),
    page_routers=("paperclerk.legal.pages:router", "paperclerk.legal.pages_search:router"),
    templates="templates",
    static="static",
    cli="paperclerk.legal.cli:app",
    cli_group="legal",
    kinds=KINDS,
    nav=(
        NavItem("legal_cases", "Cases", "/legal/cases", "documents:read", 190),
        NavItem("legal_search", "Legal search", "/legal/search", "search:read", 195),
    ),
    permissions=(
        Permission("legal:manage", "manage cases and their documents", "reviewer"),
        Permission("legal:ask", "ask the AI about cases and documents", "reviewer"),
    ),
    events=EVENTS,
    migrations="migrations",
    document_links="paperclerk.legal.registry:document_links",
)
