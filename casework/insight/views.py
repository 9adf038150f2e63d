"""The service blueprint's pages: the blueprint, its print view, and CSV and JSON exports."""
import csv
import io

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework import lookups
from casework.clock.agency_time import today_in_agency
from casework.insight import blueprint, changes, chart, compare, pulse
from casework.insight.models import ProcessChange
from casework.insight.schemas import BlueprintQuerySchema, ProcessChangeSchema, PulseSchema
from casework.insight.scope import Period, Scope
from casework.models import Queue
from casework.forms import first_errors
from core.auth import caseworker_required, supervisor_required
from core.extensions import db
from core.security import keep_out_of_caches
from intake.models import Department, Service

bp = Blueprint("insight", __name__, url_prefix="/insight", template_folder="templates")


# like every supervisor's page: figures about staff are not kept in caches
bp.after_request(keep_out_of_caches)


def chosen():
    """``(scope, period, errors)`` from the query; on errors, every service over the default period."""
    today = today_in_agency()
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


def comparison_for(scope):
    """The before/after of the service's chosen change (``change`` in the query, else its latest), or None."""
    if scope.service_id is None:
        return [], None
    marked = changes.changes_of(scope.service_id)
    wanted = request.args.get("change", type=int)
    change = next((c for c in marked if c.id == wanted), marked[0] if marked else None)
    return marked, compare.compare(change, today_in_agency()) if change else None


def page(template):
    scope, period, errors = chosen()
    found = blueprint.blueprint_of(scope, period)
    marked, comparison = comparison_for(scope)
    return render_template(template, found=found, chart=chart.blueprint_chart(found.stages), errors=errors,
                           marked=marked, comparison=comparison,
                           values=request.args, services=db.session.scalars(db.select(Service).order_by(
                               Service.name)).all(), queues=lookups.all_queues(),
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


@bp.get("/changes")
@supervisor_required
def changes_page(errors=None, status=200):
    return render_template("insight/changes.html", changes=changes.changes_of(), errors=errors or {},
                           values=request.form if errors else {}, today=today_in_agency(),
                           services=db.session.scalars(db.select(Service).order_by(Service.name)).all()), status


@bp.post("/changes")
@supervisor_required
def mark_change():
    try:
        fields = ProcessChangeSchema().load(request.form)
        change = changes.mark(fields, current_user)
    except ValidationError as error:
        return changes_page(first_errors(error), 400)
    except changes.ChangeRefused as refusal:
        return changes_page({refusal.field: refusal.message}, 400)
    flash(f"Marked \u201c{change.title}\u201d. The blueprint of the service now shows before and after it.", "success")
    return redirect(url_for("insight.changes_page"), 303)


@bp.post("/changes/<int:change_id>/publish")
@supervisor_required
def publish_change(change_id):
    change = db.session.get(ProcessChange, change_id) or abort(404)
    wanted = request.form.get("published")
    if wanted not in ("0", "1"):
        flash("Choose to publish the change or to take it off the public page.", "error")
        return redirect(url_for("insight.changes_page"), 303)
    changes.set_published(change, wanted == "1", current_user)
    flash(f"Published \u201c{change.title}\u201d on the performance page." if wanted == "1" else
          f"Took \u201c{change.title}\u201d off the performance page.", "success")
    return redirect(url_for("insight.changes_page"), 303)


@bp.post("/changes/<int:change_id>/remove")
@supervisor_required
def remove_change(change_id):
    change = db.session.get(ProcessChange, change_id) or abort(404)
    changes.remove(change, current_user)
    flash(f"Removed \u201c{change.title}\u201d.", "success")
    return redirect(url_for("insight.changes_page"), 303)


def pulse_due():
    """For the staff pages' notice: is this fortnight's pulse waiting for the signed-in person?"""
    return current_user.is_authenticated and pulse.due(current_user, today_in_agency())


@bp.get("/pulse")
@supervisor_required
def pulse_page():
    teams = pulse.summary(today_in_agency())
    return render_template("insight/pulse.html", teams=teams, trends={name: pulse.trend(rows) for name, rows in
                                                                      teams.items()}, minimum=pulse.MIN_ANSWERS)


@bp.route("/pulse/answer", methods=["GET", "POST"])
@caseworker_required
def pulse_answer():
    today = today_in_agency()
    teams = pulse.teams_of(current_user)
    errors = {}
    if request.method == "POST":
        try:
            if request.form.get("decline"):
                pulse.take_turn(current_user, today)
                flash("No answer this time. The pulse comes back in a fortnight.", "success")
                return redirect(url_for("console.console_home"), 303)
            pulse.take_turn(current_user, today, PulseSchema().load(request.form))
            flash("Thank you. Your answer is kept with your team's, without your name.", "success")
            return redirect(url_for("console.console_home"), 303)
        except ValidationError as error:
            errors = first_errors(error)
        except pulse.PulseRefused as refusal:
            errors = {refusal.field: refusal.message}
    return render_template("insight/pulse_answer.html", teams=teams, errors=errors, values=request.form,
                           due=pulse.due(current_user, today), questions=pulse.QUESTIONS,
                           scale=pulse.SCALE), 400 if errors else 200
