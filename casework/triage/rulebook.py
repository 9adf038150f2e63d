"""The stored routing rules: loading them as data, applying them, and testing a change."""
from collections import Counter
from dataclasses import dataclass

from casework.clock import targets
from casework.lookups import all_queues
from casework.triage import routing
from casework.agency_setup import District, RoutingRule
from casework.models import Priority, Queue
from core import audit
from core.extensions import db
from intake.mail.settings import mail_setting
from intake.models import Channel, Service, ServiceRequest


@dataclass
class Route:
    queue: Queue
    priority: Priority
    tags: list
    resolution_hours: int | None
    explanation: list


class NoRoute(Exception):
    """No rule matched and the department has no default queue."""


def as_district(row):
    """The pure ``routing.District`` for a stored district."""
    return routing.District(
        name=row.name,
        postcodes=tuple(row.postcodes.replace(",", " ").split()),
        polygon=tuple(tuple(corner) for corner in row.polygon or ()),
    )


def districts_for_lookup():
    """``[(id, routing.District)]`` of every district, by name: which one a request lies in."""
    return [(row.id, as_district(row)) for row in all_districts()]


def as_rule(row):
    """The pure ``routing.Rule`` for a stored rule."""
    district = as_district(row.district) if row.district is not None else None
    return routing.Rule(
        id=row.id, name=row.name, queue_id=row.queue_id, priority=row.priority,
        service_id=row.service_id, service_name=row.service.name if row.service else "",
        keywords=routing.keywords_from(row.keywords), answer_code=row.answer_code or None,
        answer_value=row.answer_value, district=district, channel=row.channel or None,
        language=row.language or None, tags=tuple(row.tags.split()), resolution_hours=row.resolution_hours,
    )


def active_rules():
    """The active rules, in the order triage tries them."""
    rows = db.session.scalars(
        db.select(RoutingRule).where(RoutingRule.active).order_by(RoutingRule.position, RoutingRule.id)
    ).all()
    return [as_rule(row) for row in rows]


def facts_of(service_request):
    return routing.RequestFacts(
        service_id=service_request.service_id, service_name=service_request.service.name,
        description=service_request.description, answers=service_request.answers or {},
        address=service_request.address, lat=service_request.lat, long=service_request.long,
        channel=service_request.channel, language=service_request.language,
    )


def default_queue(department_id):
    return db.session.scalar(db.select(Queue).filter_by(department_id=department_id, is_department_default=True))


def email_queue():
    """The queue admins chose for email requests no rule places, or None (the department's default then)."""
    setting = mail_setting()
    return db.session.get(Queue, setting.queue_id) if setting is not None and setting.queue_id else None


def decide(service_request, rules=None, default_queues=None):
    """Return the ``Route`` for ``service_request``; raise ``NoRoute`` if there is none.

    ``rules`` (from ``active_rules``) and ``default_queues`` (a dict filled as
    departments are met) let a caller deciding many requests load them once.
    """
    rule, reasons = routing.first_match(active_rules() if rules is None else rules, facts_of(service_request))
    if rule is not None:
        return Route(
            queue=db.session.get(Queue, rule.queue_id), priority=Priority(rule.priority), tags=list(rule.tags),
            resolution_hours=rule.resolution_hours, explanation=[routing.explain(rule, reasons)],
        )
    waiting_room = email_queue() if service_request.channel == Channel.EMAIL else None
    if waiting_room is not None:
        return Route(queue=waiting_room, priority=Priority.NORMAL, tags=[], resolution_hours=None, explanation=[
            f"No routing rule matched this email, so it waits in {waiting_room.name}, where admins chose that "
            "email requests go."])
    department = service_request.service.department
    if default_queues is None:
        queue = default_queue(department.id)
    else:
        if department.id not in default_queues:
            default_queues[department.id] = default_queue(department.id)
        queue = default_queues[department.id]
    if queue is None:
        raise NoRoute(f"no routing rule matched and {department.name} has no default queue")
    return Route(queue=queue, priority=Priority.NORMAL, tags=[], resolution_hours=None, explanation=[
        f"No routing rule matched, so it went to the default queue of {department.name}."
    ])


def recent_requests(limit=1000):
    """The last ``limit`` submitted requests, newest first."""
    return db.session.scalars(
        db.select(ServiceRequest).order_by(ServiceRequest.submitted_at.desc()).limit(limit)
    ).all()


@dataclass(frozen=True)
class RuleEffect:
    """How one recent request would be handled differently: each changed outcome as (name, before, after) text."""

    request: ServiceRequest
    differences: tuple


def test_change(draft_rules, limit=1000):
    """Say what ``draft_rules`` (pure rules, in order) would change for the last ``limit`` requests.

    Returns ``(effects, counts, examined)``: a ``RuleEffect`` for every request
    whose queue, priority, tags or due date (its resolution target, in business
    hours) would differ, and how many requests each of those would change.
    Reads only; changes nothing.
    """
    requests = recent_requests(limit)
    department_of = {r.service_id: r.service.department_id for r in requests}
    default_ids = {}

    def default_for(facts):
        department_id = department_of[facts.service_id]
        if department_id not in default_ids:
            queue = default_queue(department_id)
            default_ids[department_id] = queue.id if queue else None
        return default_ids[department_id]

    labelled = [(service_request, facts_of(service_request)) for service_request in requests]
    changed = routing.outcome_changes(active_rules(), draft_rules, labelled, default_for)
    queues = {queue.id: queue.name for queue in db.session.scalars(db.select(Queue))}
    effects, counts = [], Counter()
    for service_request, before, after in changed:
        differences = outcome_differences(service_request, before, after, queues)
        if differences:
            effects.append(RuleEffect(service_request, differences))
            counts.update(name for name, _, _ in differences)
    return effects, counts, len(requests)


def outcome_differences(service_request, before, after, queue_names):
    """The outcomes that differ between ``before`` and ``after`` for ``service_request``, in words."""
    def target(outcome):
        own = {outcome.priority: outcome.resolution_hours} if outcome.resolution_hours else None
        return targets.resolution_hours(service_request.service.resolution_hours, outcome.priority, own)

    def tags(outcome):
        return ", ".join(outcome.tags) or "none"

    differences = []
    if before.queue_id != after.queue_id:
        differences.append(("queue", queue_names.get(before.queue_id, "no queue"),
                            queue_names.get(after.queue_id, "no queue")))
    if before.priority != after.priority:
        differences.append(("priority", before.priority, after.priority))
    if set(before.tags) != set(after.tags):
        differences.append(("tags", tags(before), tags(after)))
    if target(before) != target(after):
        differences.append(("due", f"{target(before):g} business hours", f"{target(after):g} business hours"))
    return tuple(differences)


def draft_with(rule_row_id, candidate, position):
    """The active rules with ``candidate`` at ``position`` replacing rule ``rule_row_id`` (added if None).

    ``candidate`` None means the rule is switched off. Returned in the order triage would try them.
    """
    rows = db.session.scalars(
        db.select(RoutingRule).where(RoutingRule.active).order_by(RoutingRule.position, RoutingRule.id)
    ).all()
    ordered = [(row.position, row.id, as_rule(row)) for row in rows if row.id != rule_row_id]
    if candidate is not None:
        # a new rule sorts after existing ones at the same position, as it will once saved
        ordered.append((position, rule_row_id or float("inf"), candidate))
    return [rule for _position, _id, rule in sorted(ordered, key=lambda item: (item[0], item[1]))]


def save_rule(row, fields, by):
    """Create or update a stored rule from validated ``fields``. Commits; audited."""
    if row is None:
        row = RoutingRule()
        db.session.add(row)
    for name in RULE_FIELDS:
        setattr(row, name, fields.get(name))
    row.keywords, row.tags = " ".join(routing.keywords_from(fields.get("keywords"))), fields.get("tags") or ""
    db.session.flush()
    audit.record("routing_rule_saved", actor=by, target=row, **{k: str(v) for k, v in fields.items()})
    db.session.commit()
    return row


class UnknownChoice(Exception):
    """A form named a service, queue or area that does not exist."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def all_rules():
    """Every stored rule, in the order triage tries them (inactive ones last)."""
    return db.session.scalars(
        db.select(RoutingRule).order_by(RoutingRule.active.desc(), RoutingRule.position, RoutingRule.id)
    ).all()


def all_districts():
    return db.session.scalars(db.select(District).order_by(District.name)).all()


def rule_by_id(rule_id):
    return db.session.get(RoutingRule, rule_id)


def rule_choices():
    """The services, queues and areas a rule form offers."""
    return {
        "services": db.session.scalars(db.select(Service).order_by(Service.name)).all(),
        "queues": all_queues(),
        "districts": all_districts(),
    }


RULE_FIELDS = ("name", "position", "active", "service_id", "keywords", "answer_code", "answer_value",
               "district_id", "channel", "language", "queue_id", "priority", "tags", "resolution_hours")


def form_values(rule):
    """The form's starting values: the rule's, or a new rule's defaults."""
    if rule is None:
        return {"position": "100", "active": "y", "priority": "normal"}
    values = {name: getattr(rule, name) for name in RULE_FIELDS}
    values["active"] = "y" if rule.active else ""
    return {name: "" if value is None else str(value) for name, value in values.items()}


def candidate_rule(fields, rule_id=None):
    """The pure rule ``fields`` describe; raise ``UnknownChoice`` for a missing service, queue or area."""
    service = db.session.get(Service, fields["service_id"]) if fields.get("service_id") else None
    if fields.get("service_id") and service is None:
        raise UnknownChoice("service_id", "Choose a service from the list")
    if db.session.get(Queue, fields["queue_id"]) is None:
        raise UnknownChoice("queue_id", "Choose the queue the request goes to")
    district = db.session.get(District, fields["district_id"]) if fields.get("district_id") else None
    if fields.get("district_id") and district is None:
        raise UnknownChoice("district_id", "Choose an area from the list")
    row = RoutingRule(**{name: fields.get(name) for name in RULE_FIELDS})
    row.id, row.service, row.district = rule_id, service, district
    row.keywords, row.tags = fields.get("keywords") or "", fields.get("tags") or ""
    rule = as_rule(row)
    return rule


def add_district(fields, by):
    """Store a new area. Commits; audited."""
    district = District(name=fields["name"], postcodes=fields.get("postcodes", ""), polygon=fields["polygon"])
    db.session.add(district)
    db.session.flush()
    audit.record("district_added", actor=by, target=district)
    db.session.commit()
    return district
