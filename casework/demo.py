"""A demo agency for people trying Tandem: catalogue, queues, staff and weeks of history.

``seed_demo`` is idempotent: the catalogue and staff are matched by code and
email and created only when missing, and the history is written only once
(its requests carry ``demo-history-*`` idempotency keys). The history is
synthetic but shaped like a real city's: weekday peaks, most cases resolved
within target and some not, measured effort and staff friction on each step,
so the supervisor's pages have something to show on the first run.
"""
import random
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from casework import public_wording
from casework.clock import targets
from casework.clock.calendar_settings import queue_calendar
from casework.demo_city import (
    AWAY_THIS_WEEK, BACKLOG, CHANNEL_MIX, CASEWORK_MINUTES, CHANGE, COMPLAINTS, DEMO_STAFF, DEPARTMENTS,
    DEPARTMENT_NAMES, DESCRIPTIONS, FRICTION_NOTES, GROUP_NAMES, HANDED_ON_SHARE, HEAVY_HOLDER_WEIGHT, MEMBERS, NAMES,
    PART_TIME, QUEUES, REPLY_TEMPLATES, SERVICES, STREETS,
)
from casework.desk.demo import history_call, seed_contacts, weekday_biased
from casework.insight import rollup
from casework.insight.demo import answer_pulses, mark_the_change
from casework.ideas.demo import seed_ideas
from casework.public import demo as public_demo
from casework.agency_setup import Outcome, ReplyTemplate, RoutingRule
from casework.models import Absence, Case, CaseEvent, CaseState, Priority, Queue, Step, StepType
from core.extensions import db
from core.accounts.models import Role, Staff
from core.timeutil import utcnow
from intake.models import Department, Service, ServiceQuestion, ServiceRequest, TriageState
from intake.signals import request_submitted
from intake.survey import Feedback


def seed_demo(weeks=8, echo=print, seed=2026):
    """Create the demo agency and ``weeks`` of history if missing. Commits. Returns counts made."""
    made = {"services": 0, "staff": 0, "requests": 0}
    departments = {code: get_or_create(Department, code=code, defaults={"name": name, "translations": {
        "es": {"name": DEPARTMENT_NAMES[code][0]}, "pt": {"name": DEPARTMENT_NAMES[code][1]}}})[0]
        for code, name in DEPARTMENTS}
    services = {}
    for spec in SERVICES:
        services[spec.code], created = seed_service(spec, departments[spec.department])
        made["services"] += created
    queues = {name: get_or_create(Queue, name=name, defaults={
        "department": departments[department], "is_department_default": default, "hours": hours})[0]
        for name, department, default, hours in QUEUES}
    staff = {}
    for name, email, role, password, languages in DEMO_STAFF:
        staff[email.split("@")[0]], created = seed_staff(name, email, role, password, languages)
        made["staff"] += created
    for queue_name, handles in MEMBERS.items():
        for handle in handles:
            if staff[handle] not in queues[queue_name].members:
                queues[queue_name].members.append(staff[handle])
    for handle, member in staff.items():
        if member.role == Role.CASEWORKER:
            member.capacity_minutes = PART_TIME.get(handle, CASEWORK_MINUTES)
    away, note = AWAY_THIS_WEEK
    if db.session.scalar(db.select(Absence.id).filter_by(staff=staff[away], note=note)) is None:
        db.session.add(Absence(staff=staff[away], starts_on=date.today(), ends_on=date.today() + timedelta(days=4),
                               note=note))
    if db.session.scalar(db.select(RoutingRule).filter_by(name="Sinkholes are emergencies")) is None:
        db.session.add(RoutingRule(name="Sinkholes are emergencies", position=1, service=services["pothole"],
                                   keywords="sinkhole collapse collapsed", queue=queues["Road emergencies"],
                                   priority=Priority.URGENT, tags="safety", resolution_hours=24))
    for name, language, body in REPLY_TEMPLATES:
        get_or_create(ReplyTemplate, name=name, language=language, defaults={"body": body})
    db.session.commit()
    echo(f"catalogue: {len(services)} services in {len(departments)} departments, "
         f"{len(queues)} queues, {len(staff)} staff")

    if db.session.scalar(db.select(ServiceRequest.id).filter_by(idempotency_key="demo-history-0")) is None:
        made["requests"] = seed_history(weeks, services, queues, staff, random.Random(seed), echo)
        made["requests"] += seed_backlog(services, queues, staff, random.Random(seed))
        seed_contacts(weeks, services, staff, random.Random(seed + 1))
        if weeks >= 2:
            changed = change_at(utcnow(), weeks)
            mark_the_change(services[CHANGE[0]], changed, staff["sam"])
            answer_pulses(weeks, queues, staff, random.Random(seed), changed.date())
        seed_ideas(staff, services["pothole"])
        public_demo.seed_areas()
        echo(f"blueprint: {rollup.measure_pending(run_seconds=float('inf')):,} resolved cases measured")
        public_demo.publish(echo)
    else:
        echo("history: already there")
    made["requests"] += submit_fresh_requests(services)
    return made


def get_or_create(model, defaults=None, **key):
    """Return ``(record, created)`` for the row matching ``key``, adding it with ``defaults`` if missing."""
    record = db.session.scalar(db.select(model).filter_by(**key))
    if record is not None:
        return record, False
    record = model(**key, **(defaults or {}))
    db.session.add(record)
    return record, True


def seed_service(spec, department):
    service, created = get_or_create(Service, code=spec.code, defaults=dict(
        name=spec.name, group=spec.group, department=department, keywords=spec.keywords,
        description=spec.description, first_response_hours=spec.first_response_hours,
        resolution_hours=spec.resolution_hours, allows_anonymous=spec.allows_anonymous,
        translations={language: {"name": spec.names[index], "group": GROUP_NAMES[spec.group][index],
                                 "description": DESCRIPTIONS[spec.code][index]}
                      for index, language in enumerate(("es", "pt"))},
    ))
    if created:
        for position, (name, minutes) in enumerate(spec.steps, start=1):
            db.session.add(StepType(service=service, name=name, position=position, standard_minutes=minutes))
        for position, question in enumerate(spec.questions, start=1):
            service.questions.append(ServiceQuestion(position=position, **question))
    return service, created


def seed_staff(name, email, role, password, languages):
    member, created = get_or_create(Staff, email=email, defaults=dict(name=name, role=role, languages=languages))
    if created:
        member.set_password(password)
    return member, created


def seed_history(weeks, services, queues, staff, rng, echo):
    """Write ``weeks`` of requests with cases, steps and timelines, one commit per week. Returns the count."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(weeks=weeks)
    default_queue = {q.department_id: q for q in queues.values() if q.is_department_default}
    # in the order MEMBERS names them: the first takes the lion's share
    workers = {q.id: [staff[handle] for handle in MEMBERS[name]] for name, q in queues.items()}
    step_types = {service.id: db.session.scalars(db.select(StepType).filter_by(service_id=service.id)
                                                 .order_by(StepType.position)).all()
                  for service in services.values()}
    outcomes = {outcome.code: outcome for outcome in db.session.scalars(db.select(Outcome))}
    # due dates count as triage counts them: business hours on each queue's calendar
    calendars = {q.id: queue_calendar(q) for q in queues.values()}
    number = 0
    for week in range(weeks):
        week_start = start + timedelta(weeks=week)
        for spec in SERVICES:
            for _ in range(max(1, round(rng.gauss(spec.weekly, spec.weekly / 4)))):
                submitted = week_start + timedelta(days=weekday_biased(rng), hours=rng.uniform(7, 20))
                if submitted >= now - timedelta(hours=2):
                    continue
                service = services[spec.code]
                queue = default_queue[service.department_id]
                add_history_case(number, service, spec, queue, calendars[queue.id],
                                 workers, step_types[service.id], submitted, now, rng, outcomes, change_at(now, weeks))
                number += 1
        db.session.commit()
        echo(f"history: week {week + 1} of {weeks}, {number} requests so far")
    return number


def seed_backlog(services, queues, staff, rng):
    """Give the people of ``BACKLOG`` cases received in the last days and not yet started, until the work they
    hold would take that share of their week. Commits; returns how many requests it made."""
    from casework.supervision.workload import board

    now = utcnow()
    held = {row.staff.id: row.remaining_minutes for row in board()}
    specs = {spec.code: spec for spec in SERVICES}
    made = 0
    for handle, share in BACKLOG.items():
        person = staff[handle]
        theirs = [(queue, service) for queue in queues.values()
                  if person in queue.members and queue.is_department_default
                  for service in services.values() if service.department_id == queue.department_id]
        remaining = held.get(person.id, 0)
        while theirs and remaining < share * person.capacity_minutes:
            queue, service = rng.choice(theirs)
            spec = specs[service.code]
            opened = now - timedelta(hours=rng.uniform(2, 96))
            name = rng.choice(NAMES)
            request = ServiceRequest(
                service=service, description=COMPLAINTS[spec.code],
                address=f"{rng.randint(1, 240)} {rng.choice(STREETS)}", contact_name=name,
                contact_email=f"{name.split()[0].lower()}.backlog{made}@example.org", language="en",
                submitted_at=opened, triage_state=TriageState.DONE, triage_attempts=1,
                idempotency_key=f"demo-history-backlog-{made}")
            calendar = queue_calendar(queue)
            minutes = sum(minutes for _, minutes in spec.steps)
            case = Case(request=request, service=service, language="en", queue=queue, priority=Priority.NORMAL,
                        state=CaseState.ASSIGNED, opened_at=opened, assignee=person, estimated_minutes=minutes,
                        first_response_due_at=calendar.add_business_hours(opened, service.first_response_hours),
                        resolution_due_at=calendar.add_business_hours(opened, service.resolution_hours),
                        triage_explanation=[f"No rule matched; {queue.name} is the default queue of "
                                            f"{queue.department.name}."])
            routed_line, routed_details = public_wording.routed(queue.department.name)
            db.session.add_all([request, case, CaseEvent(case=case, kind="routed", public=True, at=opened,
                                                         message=routed_line, details=routed_details),
                                CaseEvent(case=case, actor=person, kind="assigned", at=opened,
                                          message=f"Assigned to {person.name}.",
                                          details={"from_staff_id": None, "to_staff_id": person.id})])
            remaining += minutes
            made += 1
    db.session.commit()
    return made


def change_at(now, weeks):
    """When the demo's process change was made: halfway through the history."""
    return now - timedelta(weeks=weeks / 2)


def add_history_case(number, service, spec, queue, calendar, workers, step_types, submitted, now, rng, outcomes,
                     changed_at):
    """Add one past request, its case and timeline; older cases are mostly resolved.

    Some wait on the citizen, some are reopened, four in ten resolved ones
    have a survey answer; potholes reported before ``changed_at`` tell the
    story of the demo's marked change (``CHANGE``).
    """
    before_change = service.code == CHANGE[0] and submitted < changed_at
    name = rng.choice(NAMES)
    request = ServiceRequest(
        service=service, description=COMPLAINTS[spec.code],
        address=f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
        contact_name=name, contact_email=f"{name.split()[0].lower()}.{number}@example.org",
        language=rng.choices(["en", "es", "pt"], weights=[80, 15, 5])[0],
        submitted_at=submitted, triage_state=TriageState.DONE, triage_attempts=1,
        idempotency_key=f"demo-history-{number}", channel=CHANNEL_MIX[number % len(CHANNEL_MIX)],
    )
    members = workers[queue.id]
    history_call(request, members, rng)
    opened = submitted + timedelta(seconds=rng.uniform(1, 20))
    worker = rng.choices(members, weights=[HEAVY_HOLDER_WEIGHT] + [1] * (len(members) - 1))[0]
    priority = rng.choices(list(Priority), weights=[10, 70, 15, 5])[0]
    target_hours = targets.resolution_hours(service.resolution_hours, priority)
    case = Case(
        request=request, service=service, language=request.language, queue=queue, priority=priority,
        state=CaseState.TRIAGED, opened_at=opened,
        first_response_due_at=calendar.add_business_hours(opened, service.first_response_hours),
        resolution_due_at=calendar.add_business_hours(opened, target_hours),
        estimated_minutes=sum(minutes for _, minutes in spec.steps),
        triage_explanation=[f"No rule matched; {queue.name} is the default queue of {queue.department.name}."],
    )
    routed_line, routed_details = public_wording.routed(queue.department.name)
    db.session.add_all([request, case, CaseEvent(case=case, kind="triaged", at=opened,
                                                 message=f"Routed to {queue.name} with {case.priority} priority."),
                        CaseEvent(case=case, kind="routed", public=True, at=opened,
                                  message=routed_line, details=routed_details)])
    # how long it took, in business hours as the target counts: usually inside the target, sometimes well over it
    took = calendar.add_business_hours(opened, target_hours * rng.lognormvariate(-0.9, 0.7)) - opened
    at = opened + timedelta(hours=rng.uniform(0.5, service.first_response_hours * 0.8))
    if at >= now:
        return
    case.assignee, case.state, case.first_response_at = worker, CaseState.IN_PROGRESS, at
    db.session.add(CaseEvent(case=case, actor=worker, kind="assigned", at=at, message=f"Assigned to {worker.name}.",
                             details={"from_staff_id": None, "to_staff_id": worker.id}))
    story = Story(service.code == CHANGE[0], before_change)
    if story.before:
        took *= 1.5  # crews went out twice as often without a photo
    # the first reply acknowledges; the work starts a few hours later
    at += timedelta(hours=rng.uniform(2, 30))
    for index, step_type in enumerate(step_types):
        if at >= now:
            return
        # before the photo was required, the first inspection of a pothole was long and hard
        hard_first = story.before and index == 0
        standard = step_type.standard_minutes * (1.7 if hard_first else 1.0)
        effort = max(3, round(rng.gauss(standard, standard / 3)))
        friction = rng.choices([1, 2, 3, 4, 5], weights=[5, 10, 15, 35, 35] if hard_first else [30, 30, 20, 12, 8])[0]
        reason, note = (FRICTION_NOTES[4] if hard_first and rng.random() < 0.7 else rng.choice(FRICTION_NOTES)) \
            if friction >= 4 else (None, None)
        db.session.add(Step(case=case, step_type=step_type, staff=worker, ended_at=at, effort_minutes=effort,
                            active_minutes=effort, started_at=at - timedelta(minutes=effort), friction=friction,
                            friction_reason=reason, friction_note=note))
        db.session.add(CaseEvent(case=case, actor=worker, kind="step", at=at,
                                 message=f"{step_type.name} ({effort} min)."))
        if index == 0 and rng.random() < story.ask_share:
            at = ask_the_citizen(case, worker, at, rng)
        if index == 0 and len(members) > 1 and rng.random() < HANDED_ON_SHARE:
            # the site visit over, the rest goes to a colleague: a hand-off the blueprint counts
            colleague = rng.choice([member for member in members if member is not worker])
            db.session.add(CaseEvent(case=case, actor=worker, kind="assigned", at=at + timedelta(minutes=5),
                                     message=f"Assigned to {colleague.name}.",
                                     details={"from_staff_id": worker.id, "to_staff_id": colleague.id}))
            worker = case.assignee = colleague
        at += took / max(1, len(step_types))
    if at >= now:
        return
    resolve(case, worker, at, outcomes, rng)
    if rng.random() < 0.06:
        reopened = at + timedelta(hours=rng.uniform(24, 72))
        if reopened >= now:
            return answer_survey(case, 1, at, took, story, rng)
        db.session.flush()
        db.session.add(Feedback(request_id=request.id, resolution=1, fixed=False, satisfaction=2,
                                language=request.language, submitted_at=reopened))
        db.session.add(CaseEvent(case=case, kind="reopened_by_citizen", public=True, at=reopened,
                                 message=public_wording.REOPENED_BY_CITIZEN,
                                 details={"from": CaseState.RESOLVED, "to": CaseState.IN_PROGRESS}))
        case.state, case.resolved_at = CaseState.IN_PROGRESS, None
        at = reopened + timedelta(hours=rng.uniform(4, 30))
        if at >= now or not step_types:
            return
        last = step_types[-1]
        effort = max(3, round(rng.gauss(last.standard_minutes, last.standard_minutes / 3)))
        db.session.add(Step(case=case, step_type=last, staff=worker, ended_at=at, effort_minutes=effort,
                            active_minutes=effort, started_at=at - timedelta(minutes=effort)))
        at += timedelta(hours=1)
        if at >= now:
            return
        resolve(case, worker, at, outcomes, rng)
        return answer_survey(case, 2, at, took, story, rng)
    answer_survey(case, 1, at, took, story, rng)


@dataclass(frozen=True)
class Story:
    """Where a history case stands in the demo's story of a process change."""

    changed_service: bool
    before: bool

    @property
    def ask_share(self):
        # without a photo, crews often had to ask where exactly the hole was
        return 0.45 if self.before else 0.08 if self.changed_service else 0.12


def ask_the_citizen(case, worker, at, rng):
    """The case waits on the citizen from ``at`` until they answer; returns when they did."""
    db.session.add(CaseEvent(case=case, actor=worker, kind="information_requested", public=True, at=at,
                             message="Could you tell us exactly where it is, or send a photo?",
                             details={"from": CaseState.IN_PROGRESS, "to": CaseState.WAITING_ON_CITIZEN}))
    answered = at + timedelta(hours=rng.uniform(6, 60))
    db.session.add(CaseEvent(case=case, kind="citizen_answered", public=True, at=answered,
                             message="Outside number 12, by the drain.",
                             details={"from": CaseState.WAITING_ON_CITIZEN, "to": CaseState.IN_PROGRESS}))
    return answered


def resolve(case, worker, at, outcomes, rng):
    """Resolve at ``at`` as the console does: a short closing step and the resolved event."""
    case.state, case.resolved_at, case.closed_at = CaseState.RESOLVED, at, at
    case.outcome = outcomes.get(rng.choices(["fixed", "no_action_needed", "referred_elsewhere"],
                                            weights=[85, 10, 5])[0])
    case.resolution_note = "Fixed. Thank you for telling us."
    db.session.add(Step(case=case, staff=worker, ended_at=at, effort_minutes=max(2, round(rng.gauss(5, 2))),
                        note="Resolved"))
    db.session.add(CaseEvent(case=case, actor=worker, kind="resolved", public=True, at=at,
                             message=case.resolution_note,
                             details={"from": CaseState.IN_PROGRESS, "to": CaseState.RESOLVED}))


def answer_survey(case, resolution, at, took, story, rng):
    """Four in ten citizens answer the A-11 survey; quick and changed-for-the-better service pleases more."""
    if rng.random() >= 0.4:
        return
    within_target = case.opened_at + took <= case.resolution_due_at
    mood = 4.3 if within_target else 3.1
    mood -= 0.9 if story.before else 0.0

    def item():
        return min(5, max(1, round(rng.gauss(mood, 0.9))))

    db.session.flush()
    db.session.add(Feedback(request_id=case.request.id, resolution=resolution, fixed=rng.random() < 0.92,
                            satisfaction=item(), trust=item(), ease=item(), efficiency=item(), equity=item(),
                            helpfulness=item(), language=case.request.language,
                            submitted_at=at + timedelta(hours=rng.uniform(2, 48))))


FRESH = [
    ("pothole", "There is a sinkhole opening up by the bus stop, the kerb has collapsed.", "3 Station Avenue", "es"),
    ("missed_collection", "Recycling not collected on Elm Grove again this week.", "18 Elm Grove", "en"),
    ("streetlight", "Streetlight flickering all night outside the school.", "40 Church Street", "en"),
]


def submit_fresh_requests(services):
    """Submit a few requests now, as citizens would, so the worker has something to triage. Idempotent."""
    count = 0
    for number, (code, description, address, language) in enumerate(FRESH):
        key = f"demo-fresh-{number}"
        if db.session.scalar(db.select(ServiceRequest.id).filter_by(idempotency_key=key)) is not None:
            continue
        request = ServiceRequest(service=services[code], description=description, address=address,
                                 contact_name="Demo Resident", contact_email=f"resident{number}@example.org",
                                 language=language, idempotency_key=key)
        db.session.add(request)
        db.session.commit()
        request_submitted.send(current_app._get_current_object(), request_id=request.id)
        count += 1
    return count
