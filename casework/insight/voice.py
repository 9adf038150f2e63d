"""The citizens' voice beside the blueprint: the A-11 survey of the scope's cases resolved in the period.

Shown only where at least ``MIN_ANSWERS`` citizens answered: fewer say little
and could point at a person. A request answered after two resolutions counts
its latest answer.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from casework.insight.models import CaseMeasure
from casework.insight.scope import within
from core.extensions import db
from intake.survey import A11_ITEMS, Feedback

MIN_ANSWERS = 10
# "agree" or "strongly agree" on the five-point scale
AGREE = 4
ITEM_LABELS = {"satisfaction": "Satisfied with the service", "trust": "Confidence in the agency increased",
               "ease": "Easy to get what they needed", "efficiency": "Took a reasonable time",
               "equity": "Treated fairly", "helpfulness": "Staff were helpful"}


@dataclass
class Voice:
    cases: int
    answers: int
    shown: bool
    response_rate: float | None = None
    fixed_share: float | None = None
    # item -> {"label", "agree_share", "mean", "n"}
    items: dict = field(default_factory=dict)
    sla_met_share: float | None = None
    sla_cases: int = 0
    reopened_share: float | None = None


def rolled_case_counts(rolled):
    """``exact_case_counts``'s answer from the rollup (a ``days.Rolled``)."""
    totals = rolled.case_totals()
    return totals["cases"], totals["sla_cases"], totals["sla_met"], totals["reopened"]


def exact_case_counts(scope, period):
    """``(cases, cases with a due date, of them resolved by it, reopened)`` of the scope's period."""
    met = func.sum(db.case((CaseMeasure.sla_met.is_(True), 1), else_=0))
    reopened = func.sum(db.case((CaseMeasure.reopened.is_(True), 1), else_=0))
    cases, sla_cases, sla_met, reopened = db.session.execute(
        select(func.count(), func.count(CaseMeasure.sla_met), met, reopened)
        .where(*within(CaseMeasure, scope, period))).one()
    return cases, sla_cases, int(sla_met or 0), int(reopened or 0)


def rolled_answer_counts(rolled):
    """``exact_answer_counts``'s answer as the rollup counted it."""
    survey = rolled.case_totals()["survey"]
    counted = {"answers": survey["answers"], "fixed": survey["fixed"]}
    for name, _text in A11_ITEMS:
        n = survey[f"{name}_n"]
        counted[name] = (n, survey[f"{name}_agree"], survey[f"{name}_sum"] / n if n else None)
    return counted


def exact_answer_counts(scope, period):
    """The survey of the period's requests, each one's latest answer: ``{"answers", "fixed", item: (n, agree,
    mean)}`` with "agree" answers of ``AGREE`` or more."""
    latest = select(func.max(Feedback.id)).join(CaseMeasure, CaseMeasure.request_id == Feedback.request_id) \
        .where(*within(CaseMeasure, scope, period)).group_by(Feedback.request_id)
    item_names = [name for name, _text in A11_ITEMS]
    columns = [func.count(), func.sum(db.case((Feedback.fixed.is_(True), 1), else_=0))]
    for name in item_names:
        column = getattr(Feedback, name)
        columns += [func.count(column), func.sum(db.case((column >= AGREE, 1), else_=0)), func.avg(column)]
    row = db.session.execute(select(*columns).where(Feedback.id.in_(latest))).one()
    counted = {"answers": row[0], "fixed": int(row[1] or 0)}
    for index, name in enumerate(item_names):
        n, agree, mean = row[2 + 3 * index: 5 + 3 * index]
        counted[name] = (n, int(agree or 0), mean)
    return counted


def voice_of(reading):
    """The survey, SLA and reopening figures of the cases a ``reading`` (``insight.reading``) reads."""
    cases, sla_cases, sla_met, reopened = reading.case_counts()
    counted = reading.answer_counts()
    answers = counted["answers"]
    voice = Voice(cases=cases, answers=answers, shown=answers >= MIN_ANSWERS,
                  sla_met_share=round(sla_met / sla_cases, 3) if sla_cases else None, sla_cases=sla_cases,
                  reopened_share=round(reopened / cases, 3) if cases else None)
    if not voice.shown:
        return voice
    voice.response_rate = round(answers / cases, 3) if cases else None
    voice.fixed_share = round(counted["fixed"] / answers, 3)
    for name, _text in A11_ITEMS:
        n, agree, mean = counted[name]
        voice.items[name] = {"label": ITEM_LABELS[name], "n": n,
                             "agree_share": round(agree / n, 3) if n >= MIN_ANSWERS else None,
                             "mean": round(float(mean), 2) if n >= MIN_ANSWERS and mean is not None else None}
    return voice
