"""The staff API's directory: who is calling, queues, staff, services and their steps, outcomes, routing rules, and a case's audit trail."""
from datetime import date

from flask import g
from flask_smorest import Blueprint

from casework.api import schemas
from casework.api.visibility import visible_case
from casework.lookups import active_outcomes
from casework.agency_setup import RoutingRule
from casework.models import Absence, Queue, StepType, queue_member
from core.api import allowed, caller, protect
from core.extensions import db
from core.models import AuditEvent
from core.accounts.models import Staff
from intake.models import Service

blp = protect(Blueprint("api_directory", __name__, url_prefix="/api/v1",
                        description="Who works where, what the agency offers, and how requests are routed"))


def memberships():
    """``({staff_id: [queue ids]}, {queue_id: [staff ids]})`` from one query."""
    by_staff, by_queue = {}, {}
    for queue_id, staff_id in db.session.execute(db.select(queue_member.c.queue_id, queue_member.c.staff_id)
                                                 .order_by(queue_member.c.queue_id, queue_member.c.staff_id)):
        by_staff.setdefault(staff_id, []).append(queue_id)
        by_queue.setdefault(queue_id, []).append(staff_id)
    return by_staff, by_queue


def staff_entry(person, queue_ids, absences):
    return {"id": person.id, "name": person.name, "role": person.role, "active": person.active,
            "languages": person.spoken_languages, "capacity_minutes": person.capacity_minutes,
            "queue_ids": queue_ids, "absences": absences}


def absences_by_staff():
    """Absences not yet over, by staff id."""
    found = {}
    for absence in db.session.scalars(db.select(Absence).where(Absence.ends_on >= date.today())
                                      .order_by(Absence.starts_on)):
        found.setdefault(absence.staff_id, []).append(absence)
    return found


@blp.route("/me", methods=["GET"])
@allowed("caseworker")
@blp.response(200, schemas.Me)
def me():
    """The staff member the token acts as, and the token's own limits."""
    person = caller()
    by_staff, _ = memberships()
    return {"staff": staff_entry(person, by_staff.get(person.id, []), absences_by_staff().get(person.id, [])),
            "token": g.api_token}


@blp.route("/queues", methods=["GET"])
@allowed("caseworker")
@blp.response(200, schemas.QueueOut(many=True))
def list_queues():
    """Every queue, with its department, how it hands out work, and its members."""
    _, by_queue = memberships()
    return [{"id": queue.id, "name": queue.name, "department": queue.department,
             "assignment_mode": queue.assignment_mode, "member_ids": by_queue.get(queue.id, [])}
            for queue in db.session.scalars(db.select(Queue).order_by(Queue.name))]


@blp.route("/staff", methods=["GET"])
@allowed("supervisor")
@blp.response(200, schemas.StaffOut(many=True))
def list_staff():
    """Every staff account: role, queues, languages, weekly capacity and absences to come (never credentials)."""
    by_staff, _ = memberships()
    away = absences_by_staff()
    return [staff_entry(person, by_staff.get(person.id, []), away.get(person.id, []))
            for person in db.session.scalars(db.select(Staff).order_by(Staff.name, Staff.id))]


@blp.route("/services", methods=["GET"])
@allowed("caseworker")
@blp.response(200, schemas.ServiceOut(many=True))
def list_services():
    """The catalogue's services, with their targets and workflow steps."""
    step_types = {}
    for step_type in db.session.scalars(db.select(StepType).order_by(StepType.position, StepType.id)):
        step_types.setdefault(step_type.service_id, []).append(step_type)
    return [{"id": service.id, "code": service.code, "name": service.name, "group": service.group,
             "active": service.active, "department": service.department,
             "first_response_hours": service.first_response_hours, "resolution_hours": service.resolution_hours,
             "step_types": step_types.get(service.id, [])}
            for service in db.session.scalars(db.select(Service).order_by(Service.name))]


@blp.route("/step-types", methods=["GET"])
@allowed("caseworker")
@blp.arguments(schemas.StepTypeQuery, location="query")
@blp.response(200, schemas.StepTypeOut(many=True))
def list_step_types(query):
    """The workflow steps of every service, or of ``service_id``, in order."""
    select = db.select(StepType).order_by(StepType.service_id, StepType.position, StepType.id)
    if query["service_id"] is not None:
        select = select.where(StepType.service_id == query["service_id"])
    return db.session.scalars(select).all()


@blp.route("/outcomes", methods=["GET"])
@allowed("caseworker")
@blp.response(200, schemas.OutcomeOut(many=True))
def list_outcomes():
    """How a case can end, as chosen when resolving (``outcome_id``)."""
    return active_outcomes()


@blp.route("/routing-rules", methods=["GET"])
@allowed("supervisor")
@blp.response(200, schemas.RoutingRuleOut(many=True))
def list_routing_rules():
    """Triage's rules in the order they are tried: what they match and where they send a request."""
    return db.session.scalars(db.select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)).all()


@blp.route("/cases/<int:case_id>/audit", methods=["GET"])
@allowed("supervisor")
@blp.response(200, schemas.AuditEntry(many=True))
def case_audit(case_id):
    """The audit trail of a case and its request, oldest first: every action and look, and by whom."""
    case = visible_case(caller(), case_id)
    return db.session.scalars(db.select(AuditEvent).where(db.or_(
        db.and_(AuditEvent.target_type == "Case", AuditEvent.target_id == str(case.id)),
        db.and_(AuditEvent.target_type == "ServiceRequest", AuditEvent.target_id == str(case.request_id)),
    )).order_by(AuditEvent.id)).all()
