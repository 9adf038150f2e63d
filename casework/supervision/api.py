"""Supervision over the staff API: the workload board, the backlog, and the suggested rebalance (plan, apply)."""
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate

from casework.errors import ActionRefused
from casework.forms import LARGEST_ID
from casework.supervision import backlog, rebalance, workload
from core.api import allowed, audit_write, caller, protect
from core.extensions import db

blp = protect(Blueprint("api_supervision", __name__, url_prefix="/api/v1",
                        description="Supervisors: workload, backlog and the suggested rebalance"))

QUEUE_IDS = fields.List(fields.Integer(validate=validate.Range(min=1, max=LARGEST_ID)), load_default=list,
                        validate=validate.Length(max=100))


class WorkloadRow(Schema):
    staff_id = fields.Integer(required=True, attribute="staff.id")
    name = fields.String(required=True, attribute="staff.name")
    standing = fields.String(required=True, validate=validate.OneOf(["overloaded", "room", "ok", "away"]))
    open_cases = fields.Integer(required=True)
    remaining_minutes = fields.Integer(required=True)
    capacity_minutes = fields.Integer(required=True, metadata={"description": "The coming 7 days, absences off"})
    utilisation = fields.Float(required=True, allow_none=True)
    effort_this_week = fields.Integer(required=True, metadata={"description": "Minutes logged since Monday"})
    overdue = fields.Integer(required=True)
    near_breach = fields.Integer(required=True)
    oldest_opened_at = fields.DateTime(required=True, allow_none=True)
    queues = fields.List(fields.String(), required=True, attribute="queue_names")
    languages = fields.List(fields.String(), required=True)
    away_today = fields.Boolean(required=True)


class ScopeQuery(Schema):
    queue_id = QUEUE_IDS


class PlanBody(Schema):
    class Meta:
        unknown = RAISE

    queue_ids = QUEUE_IDS


class MoveOut(Schema):
    case_id = fields.Integer(required=True)
    reference = fields.String(required=True)
    from_staff_id = fields.Integer(required=True)
    to_staff_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "The case's version the move was planned at"})


class Unplaceable(Schema):
    case_id = fields.Integer(required=True)
    reference = fields.String(required=True)
    reason = fields.String(required=True)


class OverTarget(Schema):
    staff_id = fields.Integer(required=True)
    reason = fields.String(required=True)


class PlanOut(Schema):
    plan_id = fields.String(required=True, attribute="id")
    moves = fields.List(fields.Nested(MoveOut), required=True)
    unplaceable = fields.List(fields.Nested(Unplaceable), required=True)
    over_target = fields.List(fields.Nested(OverTarget), required=True)
    utilisation_before = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True)
    utilisation_after = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True)


class ApplyBody(Schema):
    class Meta:
        unknown = RAISE

    plan_id = fields.String(required=True, validate=validate.Length(min=1, max=24))
    case_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=LARGEST_ID)), load_default=None,
                           metadata={"description": "The moves to apply, by case; all of the plan's when absent"})
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class SkippedMove(Schema):
    case_id = fields.Integer(required=True)
    reason = fields.String(required=True)


class ApplyOut(Schema):
    applied = fields.List(fields.Integer(), required=True)
    skipped = fields.List(fields.Nested(SkippedMove), required=True)


@blp.route("/workload", methods=["GET"])
@allowed("supervisor")
@blp.arguments(ScopeQuery, location="query")
@blp.response(200, WorkloadRow(many=True))
def get_workload(query):
    """One row per caseworker (of ``queue_id`` teams): open work against the coming week's capacity."""
    return workload.board(query["queue_id"])


@blp.route("/backlog", methods=["GET"])
@allowed("supervisor")
@blp.arguments(backlog.BacklogQuery, location="query")
@blp.response(200, backlog.BacklogOut)
def get_backlog(query):
    """Open cases by queue, state, priority and age, overdue and near breach, and 12 weeks of trend."""
    return backlog.summary(query["queue_id"], query["department_id"], channel=query["channel"])


@blp.route("/rebalance/plan", methods=["POST"])
@allowed("supervisor", write=True)
@blp.arguments(PlanBody)
@blp.response(200, PlanOut)
def plan(fields):
    """Plan the fewest moves that bring everyone to their fair target; nothing moves until applied."""
    audit_write(queue_ids=fields["queue_ids"])
    return rebalance.make_plan(caller(), fields["queue_ids"])


@blp.route("/rebalance/apply", methods=["POST"])
@allowed("supervisor", write=True)
@blp.arguments(ApplyBody)
@blp.response(200, ApplyOut)
def apply(fields):
    """Apply a plan's moves in one transaction; a case changed since the plan is skipped, with why."""
    audit_write(plan_id=fields["plan_id"])
    try:
        applied, skipped = rebalance.apply_plan(fields["plan_id"], fields["case_ids"], caller(), fields["reason"])
    except ActionRefused as refusal:
        db.session.rollback()
        abort(409, message=refusal.message)
    return {"applied": [move["case_id"] for move in applied],
            "skipped": [{"case_id": move["case_id"], "reason": why} for move, why in skipped]}
