"""Keep the measured stages of resolved cases fresh: the worker measures each case once it is resolved.

A case whose state crosses between open and closed has ``measured_at`` set to
None (``Case.keep_closed_at``); ``measure_pending`` (periodic) takes those in
batches: a resolved case gets its ``CaseMeasure`` and ``StageMeasureRow``s
written again, a reopened one loses them until it is resolved again, and the
daily rollup (``casework.insight.days``) is moved by the same difference in
the same transaction. Merged duplicates are not measured: their work is their
original's.
"""
import logging
import time

from sqlalchemy import delete, select, update

from casework.clock.calendar_settings import agency_calendar
from casework.desk.models import Contact
from casework.insight import days
from casework.insight.measures import CaseFacts, EventFact, StepFact, stages_of
from casework.insight.models import CaseMeasure, StageMeasureRow, WorkedCase
from casework.models import Case, CaseEvent, Queue, Step
from core.extensions import db
from core.timeutil import utcnow
from intake.models import ServiceRequest

log = logging.getLogger(__name__)

BATCH = 1000
# a periodic run stops starting batches after this long, so it never outlives its interval for long
RUN_SECONDS = 20
# the events that move a case between stages (the rest of the timeline says nothing of waits)
EVENT_KINDS = ("information_requested", "citizen_answered", "resolved", "merged", "reopened", "reopened_by_citizen",
               "assigned", "released", "queue_changed", "state_changed", "sla_resumed")


def measure_pending(batch=BATCH, run_seconds=RUN_SECONDS, progress=None):
    """Measure cases resolved (or reopened) since they were last measured; return how many (periodic).

    Commits each batch, with the daily rollup (``casework.insight.days``) it
    changes. ``progress(done)`` is called after each.
    """
    done, started = 0, time.monotonic()
    while True:
        measured = measure_batch(batch)
        done += measured
        if progress:
            progress(done)
        if measured < batch or time.monotonic() - started > run_seconds:
            return done


def pending_count():
    """Cases waiting to be measured (the page says so)."""
    return db.session.scalar(select(db.func.count()).select_from(Case).where(Case.measured_at.is_(None)))


def measure_batch(size):
    """Measure up to ``size`` cases waiting for it. Commits; returns how many were taken."""
    rows = db.session.execute(
        select(Case.id, Case.closed_at, Case.resolved_at, Case.opened_at, Case.first_response_at,
               Case.resolution_due_at, Case.duplicate_of_id, Case.request_id, Case.service_id, Case.queue_id,
               Case.district_id, Queue.department_id, ServiceRequest.submitted_at)
        .join(Queue, Queue.id == Case.queue_id).join(ServiceRequest, ServiceRequest.id == Case.request_id)
        .where(Case.measured_at.is_(None)).order_by(Case.id).limit(size)
        # locked until committed: a reopening meanwhile waits, then marks the case again
        .with_for_update(of=Case, skip_locked=True)).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    # the rollup forgets what these cases counted for before, and adds what they count for now
    deltas = days.Deltas()
    for case, stages, answer in days.stored(ids):
        deltas.count(case, stages, -1, answer)
    db.session.execute(delete(StageMeasureRow).where(StageMeasureRow.case_id.in_(ids)))
    db.session.execute(delete(WorkedCase).where(WorkedCase.case_id.in_(ids)))
    db.session.execute(delete(CaseMeasure).where(CaseMeasure.case_id.in_(ids)))
    measurable = [row for row in rows if row.closed_at is not None and row.duplicate_of_id is None]
    steps, events = facts_of([row.id for row in measurable])
    contacts = contact_minutes([row.id for row in measurable])
    answers = days.latest_answers([row.request_id for row in measurable])
    calendar = agency_calendar()
    now = utcnow()
    cases, stages, workers = [], [], []
    for row in measurable:
        end = row.resolved_at or row.closed_at
        feedback_id, answer = answers.get(row.request_id, (None, None))
        facts = CaseFacts(submitted_at=row.submitted_at, triaged_at=row.opened_at, resolved_at=end,
                          first_response_at=row.first_response_at, steps=tuple(steps.get(row.id, ())),
                          events=tuple(events.get(row.id, ())), contacts=tuple(contacts.get(row.id, ())))
        measured = stages_of(facts, calendar)
        scope = {"service_id": row.service_id, "queue_id": row.queue_id, "department_id": row.department_id,
                 "resolved_on": end.astimezone(calendar.zone).date()}
        case_scope = {**scope, "district_id": row.district_id}
        cases.append({
            "case_id": row.id, "request_id": row.request_id, "resolved_at": end, "measured_at": now,
            "wait_hours": (end - row.submitted_at).total_seconds() / 3600,
            "wait_business_hours": sum(stage.wait_business_hours for stage in measured),
            "effort_minutes": sum(stage.effort_minutes for stage in measured),
            "handoffs": sum(stage.handoffs for stage in measured),
            "reopened": any(stage.key == "rework" for stage in measured),
            "sla_met": None if row.resolution_due_at is None else end <= row.resolution_due_at,
            "feedback_id": feedback_id, **case_scope})
        case_stages = [{"case_id": row.id, "key": stage.key, "kind": stage.kind, "step_type_id": stage.step_type_id,
                        "wait_hours": stage.wait_hours, "wait_business_hours": stage.wait_business_hours,
                        "effort_minutes": stage.effort_minutes, "steps": stage.steps, "rated": stage.rated,
                        "hard": stage.hard, "reasons": dict(stage.reasons), "handoffs": stage.handoffs, **scope}
                       for stage in measured]
        deltas.count(cases[-1], case_stages, 1, answer)
        stages += case_stages
        workers += [{"staff_id": staff_id, "case_id": row.id, "resolved_on": scope["resolved_on"],
                     "feedback_id": feedback_id}
                    for staff_id in sorted({step.staff_id for step in steps.get(row.id, ()) if step.staff_id})]
    days.keep(deltas)
    # (render_nulls: rows with and without a step type go in one statement, not one per run of alike rows)
    if cases:
        db.session.execute(db.insert(CaseMeasure).execution_options(render_nulls=True), cases)
    if stages:
        db.session.execute(db.insert(StageMeasureRow).execution_options(render_nulls=True), stages)
    if workers:
        db.session.execute(db.insert(WorkedCase).execution_options(render_nulls=True), workers)
    # (a Core update: the case's version, which staff forms carry, does not move)
    db.session.execute(update(Case).where(Case.id.in_(ids)).values(measured_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return len(rows)


def facts_of(case_ids):
    """``({case_id: [StepFact]}, {case_id: [EventFact]})`` of ``case_ids``, each in time order."""
    steps, events = {}, {}
    if not case_ids:
        return steps, events
    for row in db.session.execute(
            select(Step.case_id, Step.ended_at, Step.effort_minutes, Step.step_type_id, Step.staff_id,
                   Step.friction, Step.friction_reason)
            .where(Step.case_id.in_(case_ids), Step.ended_at.is_not(None)).order_by(Step.ended_at, Step.id)):
        steps.setdefault(row.case_id, []).append(StepFact(
            row.ended_at, row.effort_minutes or 0, row.step_type_id, row.staff_id, row.friction, row.friction_reason))
    for row in db.session.execute(
            select(CaseEvent.case_id, CaseEvent.at, CaseEvent.kind, CaseEvent.details)
            .where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind.in_(EVENT_KINDS))
            .order_by(CaseEvent.at, CaseEvent.id)):
        events.setdefault(row.case_id, []).append(EventFact(row.at, row.kind, row.details or {}))
    return steps, events


def contact_minutes(case_ids):
    """``{case_id: [minutes]}``: the desk contacts that took the requests of ``case_ids``, and of the duplicates
    merged into them (a caller added to an open case), each contact's minutes."""
    found, wanted = {}, set(case_ids)
    if not wanted:
        return found
    owner = db.func.coalesce(Case.duplicate_of_id, Case.id)
    for case_id, minutes in db.session.execute(
            select(owner, Contact.minutes).join(Contact, Contact.request_id == Case.request_id)
            .where(db.or_(Case.id.in_(case_ids), Case.duplicate_of_id.in_(case_ids))).order_by(Contact.id)):
        if case_id in wanted:
            found.setdefault(case_id, []).append(minutes)
    return found
