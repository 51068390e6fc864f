"""Which legal document type (``LEGAL_TYPES``) a text is, with a confidence.

Cues are regular expressions (lower case, on word boundaries) with weights; a cue found in the title region (the
first :data:`TITLE_CHARS` characters, where a contract, a motion or an order names itself) counts
:data:`TITLE_FACTOR` times, one found further on once, and each cue counts at most :data:`MAX_HITS` times. A
contract subtype adds the generic contract's score (a lease is a contract first). The confidence is the winner's
share of the two best scores, so a document that reads like two types gets a confidence near one half.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

TITLE_CHARS = 600
TITLE_FACTOR = 4.0
MAX_HITS = 3
#: Below this score the text is not recognisably legal: it is called a generic contract with a low confidence.
MIN_SCORE = 2.0
#: The type shows in the first pages: cues are counted there only (every cue is a scan of the text).
BODY_CHARS = 12000
#: What a contract's own title adds to the subtype it names.
TITLE_BONUS = 200.0

_CONTRACT_SUBTYPES = ("nda", "lease", "employment", "licence", "services", "supply", "loan")

_CUES: dict[str, dict[str, float]] = {
    "contract": {
        r"agreement": 1, r"this agreement": 2, r"witnesseth": 3, r"in witness whereof": 3, r"the parties": 1.5,
        r"hereinafter": 1, r"governing law": 1.5, r"entire agreement": 2, r"counterparts": 1, r"contract": 1,
        r"memorandum of understanding": 3, r"amendment no": 2,
    },
    "nda": {
        r"non-?disclosure agreement": 5, r"confidentiality agreement": 5, r"confidential information": 0.5,
        r"disclosing party": 2, r"receiving party": 2, r"non-?disclosure": 2, r"secrecy agreement": 5,
    },
    "lease": {
        r"lease agreement": 5, r"lease": 2, r"landlord": 3, r"tenant": 3, r"lessor": 3, r"lessee": 3, r"rent": 1,
        r"premises": 1.5, r"sublease": 4, r"security deposit": 2,
    },
    "employment": {
        r"employment agreement": 5, r"employment": 1.5, r"employee": 1.5, r"employer": 2, r"executive": 1,
        r"base salary": 3, r"severance": 2, r"offer letter": 4, r"at-will": 2,
    },
    "licence": {
        r"licen[cs]e agreement": 4, r"licen[cs]or": 3, r"licen[cs]ee": 3, r"licen[cs]e": 1, r"royalt\w+": 1.5,
        r"franchise agreement": 4, r"franchisor": 3, r"franchisee": 3, r"trademark licen[cs]e": 4,
        r"intellectual property agreement": 4, r"content licen[cs]e": 4, r"patent licen[cs]e": 4,
    },
    "services": {
        r"services agreement": 4, r"service agreement": 4, r"consulting agreement": 5, r"consultant": 2,
        r"outsourcing agreement": 5, r"hosting agreement": 5, r"maintenance agreement": 4, r"support agreement": 4,
        r"statement of work": 3, r"service provider": 2, r"agency agreement": 4, r"marketing agreement": 3,
        r"development agreement": 4, r"transportation (?:services )?(?:agreement|contract)": 4,
        r"promotion agreement": 3, r"management agreement": 4, r"servicing agreement": 4,
    },
    "supply": {
        r"supply agreement": 5, r"supplier": 2, r"manufacturing agreement": 5, r"distributor agreement": 5,
        r"distribution agreement": 5, r"distributor": 2, r"reseller agreement": 5, r"reseller": 2,
        r"purchase order": 2, r"purchase agreement": 3, r"products?": 0.5, r"manufacturer": 1.5,
    },
    "loan": {
        r"loan agreement": 5, r"credit agreement": 5, r"promissory note": 5, r"borrower": 3, r"lender": 3,
        r"principal amount": 2, r"interest rate": 1.5, r"loan": 1.5, r"facility agreement": 4, r"security agreement": 3,
    },
    "pleading": {
        r"complaint": 2, r"plaintiffs?": 1.5, r"defendants?": 1.5, r"prayer for relief": 4, r"cause of action": 3,
        r"jury trial demanded": 4, r"demand for jury trial": 4, r"count [ivx]+": 2, r"comes now": 3,
        r"alleges?": 1.5, r"petitioner": 1, r"answer and affirmative defenses": 5, r"wherefore": 2,
        r"written statement": 3, r"plaint": 2, r"writ petition": 4,
    },
    "motion": {
        r"motion (?:to|for|in limine)": 4, r"notice of motion": 5, r"memorandum of points and authorities": 4,
        r"respectfully moves": 5, r"moves this court": 5, r"in support of (?:its |his |her |their )?motion": 4,
        r"\[proposed\] order": 2, r"hearing date": 1.5, r"movant": 3, r"interlocutory application": 4,
    },
    "court_order": {
        r"it is (?:hereby )?ordered": 5, r"so ordered": 4, r"order granting": 5, r"order denying": 5,
        r"scheduling order": 5, r"order": 1, r"the court orders": 4, r"it is further ordered": 4,
        r"ordered and adjudged": 3, r"list (?:the|this) matter": 2,
    },
    "judgment": {
        r"judgm?ent": 2, r"opinion of the court": 4, r"delivered the opinion": 5, r"we affirm": 4, r"we reverse": 4,
        r"affirmed": 2, r"reversed": 2, r"appeal (?:is|be) (?:allowed|dismissed)": 4, r"coram": 4,
        r"hon'?ble": 2, r"the appellant": 2, r"the respondent": 1.5, r"circuit judge": 3, r"justice": 1,
        r"dissenting": 3, r"remanded": 2, r"learned counsel": 3, r"held": 1, r"\bj\.": 1,
    },
    "correspondence": {
        r"dear (?:sir|madam|mr|ms|mrs|dr|counsel|[a-z]+)": 4, r"sincerely": 3,
        r"yours (?:faithfully|sincerely|truly)": 4,
        r"kind regards": 3, r"best regards": 3, r"re:": 2, r"please (?:find|do not hesitate|contact)": 2,
        r"we write": 3, r"i write": 3, r"letter": 1, r"cease and desist": 3, r"without prejudice": 2,
        r"cc:": 1.5, r"enclosed": 1.5,
    },
    "statute": {
        r"be it enacted": 6, r"short title": 4, r"this act may be cited": 6, r"an act to": 4, r"act,? (?:19|20)\d\d": 3,
        r"chapter [ivx0-9]+": 1.5, r"§": 1, r"subsection": 1.5, r"hereby enacted": 5, r"definitions": 1,
        r"public law": 3, r"u\.s\.c\.": 1, r"article \d+": 1, r"commencement": 1.5, r"regulation \(eu\)": 3,
        r"the secretary shall": 3, r"amended by": 1.5, r"enacted by": 3, r"official journal": 3,
    },
    "legal_invoice": {
        r"invoice": 3, r"professional services rendered": 5, r"timekeeper": 5, r"ledes": 6, r"hours": 1.5,
        r"rate": 1, r"amount due": 3, r"total fees": 4, r"disbursements": 3, r"billing period": 4,
        r"utbms": 5, r"fees for services": 4, r"balance due": 3, r"matter (?:no|number)": 2,
    },
}
#: A contract's own title ("… DISTRIBUTOR AGREEMENT") → its subtype; the first entry whose words it holds wins.
_TITLE_SUBTYPES = (
    ("nda", ("non-disclosure", "nondisclosure", "confidentiality", "secrecy")),
    ("loan", ("loan", "credit", "promissory", "facility")),
    ("lease", ("lease", "tenancy", "rental")),
    ("employment", ("employment", "offer letter", "severance")),
    ("licence", ("licens", "licenc", "franchise", "intellectual property", "trademark", "patent", "royalty")),
    ("supply", ("supply", "manufactur", "distribut", "reseller", "purchase", "sale of goods", "sales")),
    ("services", ("service", "consult", "outsourc", "hosting", "maintenance", "support", "transport", "development",
                  "agency", "marketing", "promotion", "management", "work")),
)
_TITLE = re.compile(r"\b((?:[A-Z][A-Za-z&,'/-]*\s+){0,6})(AGREEMENT|CONTRACT|LEASE|NOTE)\b")
_COMPILED = {kind: [(re.compile(rf"(?<!\w){cue}(?!\w)"), weight) for cue, weight in cues.items()]
             for kind, cues in _CUES.items()}


def scores(text: str) -> dict[str, float]:
    """Each type's score for ``text`` (lower-cased inside)."""
    lowered = text[:BODY_CHARS].lower()
    title, body = lowered[:TITLE_CHARS], lowered[TITLE_CHARS:]
    found: dict[str, float] = {}
    for kind, cues in _COMPILED.items():
        total = 0.0
        for pattern, weight in cues:
            in_title = min(MAX_HITS, len(pattern.findall(title)))
            in_body = min(MAX_HITS, len(pattern.findall(body)))
            total += weight * (TITLE_FACTOR * in_title + in_body)
        found[kind] = total
    for subtype in _CONTRACT_SUBTYPES:
        found[subtype] += found["contract"]
    return found


def title_subtype(text: str) -> str | None:
    """The contract subtype the document's title names ("MASTER SUPPLY AGREEMENT" → supply), ``contract`` for a
    title that names none, ``None`` when the title region names no agreement."""
    match = _TITLE.search(text[:TITLE_CHARS])
    if match is None:
        return None
    title = " ".join(match.group(0).split()).lower()
    for subtype, words in _TITLE_SUBTYPES:
        if any(word in title for word in words):
            return subtype
    return "contract"


def classify(pages: Sequence[str]) -> tuple[str, float]:
    """(legal type, confidence in [0, 1])."""
    text = "\n".join(pages)
    found = scores(text)
    titled = title_subtype(text)
    if titled is not None and max(found, key=lambda kind: found[kind]) in (*_CONTRACT_SUBTYPES, "contract"):
        found[titled] += TITLE_BONUS
    ranked = sorted(found.items(), key=lambda item: -item[1])
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < MIN_SCORE:
        return "contract", 0.0
    if best in _CONTRACT_SUBTYPES and best_score < found["contract"] * 1.15:
        # a subtype that barely adds to the contract cues is a contract of no particular subtype
        return "contract", round(found["contract"] / (found["contract"] + max(second_score, 1e-9)), 3)
    return best, round(best_score / (best_score + second_score), 3)
