"""What citizens said about the cases a person (or a team) worked: their survey answers, never who they are.

A person "worked" a case when they recorded a step on it; the cases are the
resolved ones the blueprint measures. An answer shows
its statements (1-5 on the A-11 scale), whether it was fixed, the comment,
the service and the date, and links the case; never the citizen's name or
contact details, which the query does not even read.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from casework.insight.models import CaseMeasure, WorkedCase
from core.extensions import db
from intake.models import Service, ServiceRequest
from intake.survey import A11_ITEMS, Feedback

ITEMS = [name for name, _text in A11_ITEMS]


@dataclass
class Said:
    feedback_id: int
    case_id: int
    reference: str
    service: str
    submitted_at: datetime
    fixed: bool
    comment: str | None
    # item -> 1..5 or None
    ratings: dict


def answers(through, where, since=None, until=None, limit=50, with_comment=False):
    """The latest survey answers of the cases in ``through`` (``CaseMeasure`` or ``WorkedCase``: each row holds
    its case's latest answer) meeting ``where``, newest first.

    A resolved case is measured (and its rows written) within 30 seconds; one reopened shows its answer again
    once resolved again.
    """
    query = (select(Feedback.id, through.case_id, ServiceRequest.reference, Service.name, Feedback.submitted_at,
                    Feedback.fixed, Feedback.comment, *(getattr(Feedback, name) for name in ITEMS))
             .select_from(through).join(Feedback, Feedback.id == through.feedback_id)
             .join(ServiceRequest, ServiceRequest.id == Feedback.request_id)
             .join(Service, Service.id == ServiceRequest.service_id)
             .where(where).order_by(Feedback.submitted_at.desc(), Feedback.id.desc()).limit(limit))
    if since is not None:
        query = query.where(Feedback.submitted_at > since)
    if until is not None:
        query = query.where(Feedback.submitted_at <= until)
    if with_comment:
        query = query.where(Feedback.comment.is_not(None), Feedback.comment != "")
    return [Said(row[0], row[1], row[2], row[3], row[4], row[5], row[6], dict(zip(ITEMS, row[7:], strict=True)))
            for row in db.session.execute(query)]


def about_person(staff_id, **kwargs):
    """``answers`` about the cases the person worked: their own rows of ``WorkedCase`` (an index range, however
    many cases others worked)."""
    return answers(WorkedCase, WorkedCase.staff_id == staff_id, **kwargs)


def about_team(queue_id, **kwargs):
    return answers(CaseMeasure, CaseMeasure.queue_id == queue_id, **kwargs)
