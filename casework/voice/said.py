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

from casework.insight.models import CaseMeasure
from casework.models import Step
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


def worked_by(staff_id):
    """The condition on ``CaseMeasure``: the person recorded a step on the case (their steps read from an index of
    their own: a few thousand entries, where a test of every case's steps would read them all)."""
    return CaseMeasure.case_id.in_(select(Step.case_id).where(Step.staff_id == staff_id))


def in_team(queue_id):
    return CaseMeasure.queue_id == queue_id


def answers(where, since=None, until=None, limit=50, with_comment=False):
    """The survey answers about resolved cases meeting ``where`` (a condition on ``CaseMeasure``), newest first.

    Read through the measured cases (each holds its request's latest answer): a resolved case is measured within
    30 seconds, and one reopened shows its answer again once resolved again.
    """
    query = (select(Feedback.id, CaseMeasure.case_id, ServiceRequest.reference, Service.name, Feedback.submitted_at,
                    Feedback.fixed, Feedback.comment, *(getattr(Feedback, name) for name in ITEMS))
             .select_from(CaseMeasure).join(Feedback, Feedback.id == CaseMeasure.feedback_id)
             .join(ServiceRequest, ServiceRequest.id == CaseMeasure.request_id)
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
    return answers(worked_by(staff_id), **kwargs)


def about_team(queue_id, **kwargs):
    return answers(in_team(queue_id), **kwargs)
