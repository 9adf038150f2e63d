"""The service blueprint over the staff API: ``GET /api/v1/services/{code}/blueprint``."""
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from casework.clock.agency_time import today_in_agency
from casework.insight import blueprint
from casework.insight.schemas import PeriodSchema
from casework.insight.measures import KINDS
from casework.insight.scope import Period, Scope
from core.api import allowed, protect
from core.extensions import db
from intake.models import Service

blp = protect(Blueprint("api_insight", __name__, url_prefix="/api/v1",
                        description="The service blueprint: citizen wait and staff effort by stage, cost, voice"))


class Reason(Schema):
    reason = fields.String(required=True)
    count = fields.Integer(required=True)


class StageOut(Schema):
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    key = fields.String(required=True)
    step_type_id = fields.Integer(required=True, allow_none=True)
    cases = fields.Integer(required=True)
    wait_hours_median = fields.Float(required=True, allow_none=True)
    wait_hours_p90 = fields.Float(required=True, allow_none=True)
    wait_business_hours_median = fields.Float(required=True, allow_none=True)
    wait_business_hours_p90 = fields.Float(required=True, allow_none=True)
    effort_minutes_median = fields.Float(required=True, allow_none=True,
                                         metadata={"description": "Over the cases with steps in the stage"})
    effort_minutes_p90 = fields.Float(required=True, allow_none=True)
    effort_minutes_total = fields.Integer(required=True)
    standard_minutes = fields.Integer(required=True, allow_none=True)
    steps = fields.Integer(required=True)
    handoffs = fields.Integer(required=True)
    rated = fields.Integer(required=True)
    hard_share = fields.Float(required=True, allow_none=True, metadata={"description": "None below 5 ratings"})
    top_reasons = fields.List(fields.Nested(Reason), required=True)
    cost = fields.Float(required=True)


class TeamOut(Schema):
    queue_id = fields.Integer(required=True)
    name = fields.String(required=True)
    members = fields.Integer(required=True)
    supplied_minutes = fields.Integer(required=True)
    used_minutes = fields.Integer(required=True)
    contact_minutes = fields.Integer(required=True)
    unused_minutes = fields.Integer(required=True)
    unused_share = fields.Float(required=True, allow_none=True)


class CostOut(Schema):
    total = fields.Float(required=True)
    per_request = fields.Float(required=True, allow_none=True)
    minutes = fields.Integer(required=True)
    cost_per_minute = fields.Float(required=True, allow_none=True)
    teams = fields.List(fields.Nested(TeamOut), required=True)


class ItemOut(Schema):
    label = fields.String(required=True)
    n = fields.Integer(required=True)
    agree_share = fields.Float(required=True, allow_none=True)
    mean = fields.Float(required=True, allow_none=True)


class VoiceOut(Schema):
    answers = fields.Integer(required=True)
    shown = fields.Boolean(required=True, metadata={"description": "False below minimum_answers: figures withheld"})
    minimum_answers = fields.Integer(required=True)
    response_rate = fields.Float(required=True, allow_none=True)
    fixed_share = fields.Float(required=True, allow_none=True)
    items = fields.Dict(keys=fields.String(), values=fields.Nested(ItemOut), required=True)
    sla_met_share = fields.Float(required=True, allow_none=True)
    reopened_share = fields.Float(required=True, allow_none=True)


class HotSpotOut(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    score = fields.Float(required=True)
    wait_share = fields.Float(required=True)
    over_standard_share = fields.Float(required=True)
    hard_share = fields.Float(required=True, allow_none=True)
    sentence = fields.String(required=True)


class BlueprintOut(Schema):
    service = fields.String(required=True, allow_none=True)
    scope = fields.String(required=True)
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to", metadata={"description": "Exclusive"})
    cases = fields.Integer(required=True)
    measured_at = fields.DateTime(required=True)
    cases_waiting_to_be_measured = fields.Integer(required=True)
    business_hours_per_day = fields.Float(required=True)
    quantiles = fields.String(required=True, metadata={
        "description": '"exact", or "within 1%" where a period of many cases is read from the daily rollup'})
    stages = fields.List(fields.Nested(StageOut), required=True)
    cost = fields.Nested(CostOut, required=True)
    voice = fields.Nested(VoiceOut, required=True)
    hot_spots = fields.List(fields.Nested(HotSpotOut), required=True)
    hot_spot_score = fields.String(required=True)


@blp.route("/services/<string:code>/blueprint", methods=["GET"])
@allowed("supervisor")
@blp.arguments(PeriodSchema, location="query")
@blp.response(200, BlueprintOut)
def get_blueprint(query, code):
    """The blueprint of the service's cases resolved from ``from`` until ``to`` (local dates; the last 90 days)."""
    service = db.session.scalar(db.select(Service).filter_by(code=code)) or abort(404, message="No such service.")
    period = Period(query["start"], query["end"]) if query["start"] else \
        blueprint.default_period(today_in_agency())
    made = blueprint.blueprint_of(Scope(service_id=service.id), period)
    found = blueprint.as_json(made)
    # the same answer as the page's JSON export, with the dates as values for the schema to write
    found.update(start=period.start, end=period.end, measured_at=made.made_at)
    return found
