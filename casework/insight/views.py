"""The service blueprint's pages: the blueprint, its print view, and CSV and JSON exports."""
import csv
import io

from flask import Blueprint, Response, jsonify, render_template, request
from marshmallow import ValidationError

from casework.admin import team
from casework.insight import blueprint, chart
from casework.insight.schemas import BlueprintQuerySchema
from casework.insight.scope import Period, Scope
from casework.models import Queue
from casework.supervision import workload
from casework.supervision.views import first_errors, keep_out_of_caches
from core.auth import supervisor_required
from core.extensions import db
from intake.models import Department, Service

bp = Blueprint("insight", __name__, url_prefix="/insight", template_folder="templates")


# like every supervisor's page: figures about staff are not kept in caches
bp.after_request(keep_out_of_caches)


def chosen():
    """``(scope, period, errors)`` from the query; on errors, every service over the default period."""
    today = workload.today_in_agency()
    try:
        asked = BlueprintQuerySchema().load(request.args)
    except ValidationError as error:
        return Scope(), blueprint.default_period(today), first_errors(error)
    period = Period(asked["start"], asked["end"]) if asked["start"] else blueprint.default_period(today)
    if asked["service"] is not None:
        service = db.session.scalar(db.select(Service).filter_by(code=asked["service"]))
        if service is None:
            return Scope(), period, {"service": "Choose a service from the list"}
        return Scope(service_id=service.id), period, {}
    for name, model in (("queue_id", Queue), ("department_id", Department)):
        if asked[name] is not None and db.session.get(model, asked[name]) is None:
            return Scope(), period, {name: f"Choose a {name.removesuffix('_id')} from the list"}
    return Scope(queue_id=asked["queue_id"], department_id=asked["department_id"]), period, {}


def page(template):
    scope, period, errors = chosen()
    found = blueprint.blueprint_of(scope, period)
    return render_template(template, found=found, chart=chart.blueprint_chart(found.stages), errors=errors,
                           values=request.args, services=db.session.scalars(db.select(Service).order_by(
                               Service.name)).all(), queues=team.all_queues(),
                           departments=db.session.scalars(db.select(Department).order_by(Department.name)).all(),
                           export_args={k: v for k, v in request.args.items() if v}), 400 if errors else 200


@bp.get("/blueprint")
@supervisor_required
def blueprint_page():
    return page("insight/blueprint.html")


@bp.get("/blueprint/print")
@supervisor_required
def blueprint_print():
    return page("insight/blueprint_print.html")


@bp.get("/blueprint.json")
@supervisor_required
def blueprint_json():
    scope, period, errors = chosen()
    if errors:
        return jsonify(error="Bad Request", errors=errors), 400
    return jsonify(blueprint.as_json(blueprint.blueprint_of(scope, period)))


@bp.get("/blueprint.csv")
@supervisor_required
def blueprint_csv():
    scope, period, errors = chosen()
    if errors:
        return jsonify(error="Bad Request", errors=errors), 400
    found = blueprint.blueprint_of(scope, period)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(blueprint.CSV_COLUMNS)
    writer.writerows(blueprint.csv_rows(found))
    name = f"blueprint-{found.service_code or 'all'}-{period.start}-{period.end}.csv"
    return Response(out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})
