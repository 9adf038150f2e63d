"""Replies and notes being written, kept on the server as the caseworker types, until they are sent."""
from casework.models import Draft
from core.extensions import db
from core.timeutil import utcnow

KINDS = ("reply", "note", "ask", "resolve")
LONGEST = 10_000


def save_draft(staff, case, kind, body):
    """Keep ``body`` as ``staff``'s ``kind`` draft on ``case`` (empty removes it). Commits."""
    draft = db.session.scalar(db.select(Draft).filter_by(staff_id=staff.id, case_id=case.id, kind=kind))
    if not body.strip():
        if draft is not None:
            db.session.delete(draft)
    elif draft is None:
        db.session.add(Draft(staff_id=staff.id, case_id=case.id, kind=kind, body=body))
    else:
        draft.body, draft.updated_at = body, utcnow()
    db.session.commit()


def drafts_for(staff, case):
    """``{kind: Draft}`` of ``staff``'s drafts on ``case``."""
    return {draft.kind: draft for draft in db.session.scalars(
        db.select(Draft).filter_by(staff_id=staff.id, case_id=case.id))}


def clear_draft(staff, case, kind):
    """Forget the draft once what it held was sent. Commits."""
    db.session.execute(db.delete(Draft).filter_by(staff_id=staff.id, case_id=case.id, kind=kind))
    db.session.commit()
