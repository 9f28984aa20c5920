"""Cases as the API answers them."""

from __future__ import annotations

from vib.cases.models import Case
from vib.cases.operations import consents_by_person, supervision_refusal, upload_refusal


def case_json(case: Case) -> dict:
    return {
        "id": case.id,
        "code": case.code,
        "learning_question": case.learning_question,
        "next_learning_goal": case.next_learning_goal,
        "scheme_id": case.scheme_id,
        "owner_id": case.owner_id,
        "created_at": case.created_at.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "consents": [{"person": p.person, "role": p.role, "purposes": sorted(p.purposes)} for p in consents_by_person(case).values()],
        "upload_refusal": upload_refusal(case),
        "supervision_refusal": supervision_refusal(case),
    }
