"""A drafted judgment request made directly through the services (for the access matrices)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from paperclerk.core.db import session_scope
from paperclerk.judgments import precedent_engine, precedents, service
from paperclerk.judgments.casefile import CaseDocument, CaseFile
from paperclerk.judgments.models import RequestStatus
from tests.judgments.cases import TENANCY_ARGUMENTS, TENANCY_FACTS


class ScriptActor:
    """Who the tests act as when they call the services directly (the audit trail names it)."""

    actor_type, id, label = "system", None, "matrix"

    def __init__(self, organization_id: str) -> None:
        self.organization_id = organization_id


def drafted_request(organization_id: str, session: Session | None = None) -> str:
    if session is None:
        with session_scope() as own:
            return drafted_request(organization_id, own)
    actor = ScriptActor(organization_id)
    request = service.open_request(session, organization_id, title="Matrix v. Matrix", jurisdiction="INDIA",
                                   court_level="", questions=[], engine="precedent", legal_case_id=None, actor=actor)
    service.add_file(session, organization_id, request.id, filename="facts.txt", content=TENANCY_FACTS.encode(),
                     max_bytes=10 * 1024 * 1024, actor=actor)
    case = CaseFile([CaseDocument("facts.txt", (TENANCY_FACTS + TENANCY_ARGUMENTS,))])
    result = precedent_engine.draft(case, name=request.title, jurisdiction="INDIA", store=precedents.shipped())
    request.status = RequestStatus.DRAFTED
    service.add_version(session, request, result.to_json(), change="engine:precedent", note="", author="matrix")
    return request.id
