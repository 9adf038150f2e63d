"""Supervisors' pages: the workload board, the suggested rebalance (preview, apply), a person's capacity and cover."""
import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework import lookups
from casework.admin import team
from casework.admin.schemas import AbsenceSchema
from casework.clock.agency_time import today_in_agency
from casework.console import access
from casework.errors import ActionRefused
from casework.forms import first_errors
from casework.supervision import backlog, charts, forecast, moves, rebalance, settings, workload
from casework.supervision.schemas import (
    ApplySchema, AssumptionsSchema, CapacitySchema, CoverSchema, PinSchema, ScopeSchema,
)
from core.auth import supervisor_required
from core.extensions import db
from core.accounts.models import Staff
from core.i18n import offered_languages
from core.security import keep_out_of_caches
from intake.models import Department

bp = Blueprint("supervision", __name__, url_prefix="/supervision", template_folder="templates")


bp.after_request(keep_out_of_caches)


def scope():
    try:
        return ScopeSchema().load(request.args)["queue_id"]
    except ValidationError:
        return []


@bp.get("/")
@supervisor_required
def board():
    queue_ids = scope()
    return render_template("supervision/board.html", rows=workload.board(queue_ids), queue_ids=queue_ids,
                           queues=lookups.all_queues())


@bp.get("/backlog")
@supervisor_required
def backlog_page():
    queue_ids, department_id, channel = backlog_scope()
    found = backlog.summary(queue_ids, department_id, channel=channel)
    return render_template("supervision/backlog.html", backlog=found, chart=charts.trend_chart(found.weeks),
                           queues=lookups.all_queues(), departments=departments(), channels=backlog.CHANNELS,
                           channel=channel, queue_ids=queue_ids, department_id=department_id, bands=backlog.AGE_BANDS,
                           states=backlog.STATES, priorities=backlog.PRIORITIES)


def backlog_scope():
    try:
        fields = backlog.BacklogQuery().load({"queue_id": request.args.getlist("queue_id") and
                                              [value for value in request.args.getlist("queue_id") if value],
                                              **({"department_id": request.args["department_id"]}
                                                 if request.args.get("department_id") else {}),
                                              **({"channel": request.args["channel"]}
                                                 if request.args.get("channel") else {})})
    except ValidationError:
        return [], None, None
    return fields["queue_id"], fields["department_id"], fields["channel"]


def departments():
    return db.session.scalars(db.select(Department).order_by(Department.name)).all()


@bp.get("/backlog.csv")
@supervisor_required
def backlog_csv():
    """Every table of the backlog page as CSV: ``table`` is "queues" (the default) or "weeks"."""
    queue_ids, department_id, channel = backlog_scope()
    found = backlog.summary(queue_ids, department_id, channel=channel)
    out = io.StringIO()
    writer = csv.writer(out)
    if request.args.get("table") == "weeks":
        writer.writerow(["week_starting", "arrivals", "closures", "backlog_at_end"])
        for week in found.weeks:
            writer.writerow([week.starts_on.isoformat(), week.arrivals, week.closures, week.backlog_at_end])
        name = "backlog-by-week.csv"
    else:
        writer.writerow(["queue", "department", "open", *backlog.STATES, *backlog.PRIORITIES,
                         *(band for band, _, _ in backlog.AGE_BANDS), "overdue", "near_breach"])
        for row in [*found.queues, found.total]:
            writer.writerow([row.name, row.department, row.open, *(row.by_state[s] for s in backlog.STATES),
                             *(row.by_priority[p] for p in backlog.PRIORITIES),
                             *(row.by_age[band] for band, _, _ in backlog.AGE_BANDS), row.overdue, row.near_breach])
        name = "backlog-by-queue.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/forecast")
@supervisor_required
def forecast_page():
    errors = {}
    try:
        typed = AssumptionsSchema().load(request.args)
    except ValidationError as error:
        errors, typed = first_errors(error), AssumptionsSchema().load({})
    assumptions = forecast.Assumptions(
        occupancy=typed["occupancy"] / 100, shrinkage=None if typed["shrinkage"] is None else typed["shrinkage"] / 100,
        minutes_per_case=typed["minutes"])
    return render_template("supervision/forecast.html", rows=forecast.forecasts(typed["queue_id"], assumptions,
                                                                                channel=typed["channel"]),
                           typed=typed, errors=errors, values=request.args, weekdays=forecast.WEEKDAYS,
                           today=today_in_agency(), queues=lookups.all_queues(), channels=backlog.CHANNELS,
                           history_weeks=forecast.HISTORY_WEEKS), 400 if errors else 200


@bp.get("/workload.csv")
@supervisor_required
def board_csv():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["caseworker", "standing", "utilisation", "open_cases", "remaining_minutes", "capacity_minutes",
                     "effort_this_week_minutes", "overdue", "near_breach", "oldest_opened_at", "queues", "languages",
                     "away"])
    for row in workload.board(scope()):
        writer.writerow([row.staff.name, row.standing, row.utilisation, row.open_cases, row.remaining_minutes,
                         row.capacity_minutes, row.effort_this_week, row.overdue, row.near_breach,
                         row.oldest_opened_at.isoformat() if row.oldest_opened_at else "", "; ".join(row.queue_names),
                         " ".join(row.languages),
                         "; ".join(f"{a.starts_on}..{a.ends_on}" for a in row.absences)])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="workload.csv"'})


@bp.post("/rebalance")
@supervisor_required
def suggest():
    try:
        queue_ids = ScopeSchema().load(request.form)["queue_id"]
    except ValidationError:
        queue_ids = []
    plan = rebalance.make_plan(current_user, queue_ids)
    return redirect(url_for("supervision.preview", plan_id=plan.id), 303)


def names_of(plan):
    ids = {int(staff_id) for staff_id in plan.utilisation_before}
    return {person.id: person.name for person in db.session.scalars(db.select(Staff).where(Staff.id.in_(ids)))}


@bp.get("/rebalance/<plan_id>")
@supervisor_required
def preview(plan_id):
    plan = rebalance.plan_by_id(plan_id) or abort(404)
    return render_template("supervision/plan.html", plan=plan, names=names_of(plan), errors={})


@bp.post("/rebalance/<plan_id>/apply")
@supervisor_required
def apply(plan_id):
    plan = rebalance.plan_by_id(plan_id) or abort(404)
    try:
        fields = ApplySchema().load(request.form)
    except ValidationError as error:
        return render_template("supervision/plan.html", plan=plan, names=names_of(plan),
                               errors=first_errors(error)), 400
    if not fields["case_id"]:
        return render_template("supervision/plan.html", plan=plan, names=names_of(plan),
                               errors={"case_id": "Tick the moves to apply, or go back to the board"}), 400
    try:
        applied, skipped = rebalance.apply_plan(plan_id, fields["case_id"], current_user, fields["reason"])
    except ActionRefused as refusal:
        return render_template("supervision/plan.html", plan=plan, names=names_of(plan),
                               errors={"case_id": refusal.message}), 409
    flash(f"Moved {len(applied)} {'case' if len(applied) == 1 else 'cases'}"
          + (f"; left {len(skipped)} where they were: "
             + "; ".join(f"{move['reference']} ({why})" for move, why in skipped) if skipped else "") + ".",
          "success")
    return redirect(url_for("supervision.board"), 303)


def person_or_404(staff_id):
    person = db.session.get(Staff, staff_id)
    if person is None or not person.active:
        abort(404)
    return person


def render_person(person, errors=None, values=None, status=200):
    [row] = [row for row in workload.board() if row.staff.id == person.id] or [workload.Row(person)]
    colleagues = [other for other in workload.team() if other.id != person.id]
    return render_template("supervision/person.html", person=person, row=row, errors=errors or {},
                           values=values or request.form, colleagues=colleagues, languages=offered_languages(),
                           cases=moves.cases_of(person.id)), status


@bp.get("/staff/<int:staff_id>")
@supervisor_required
def person_page(staff_id):
    return render_person(person_or_404(staff_id))


@bp.post("/staff/<int:staff_id>/capacity")
@supervisor_required
def set_capacity(staff_id):
    person = person_or_404(staff_id)
    schema = CapacitySchema()
    try:
        fields = schema.load(request.form)
    except ValidationError as error:
        return render_person(person, errors=first_errors(error), status=400)
    settings.set_capacity(person, schema.minutes(fields), fields["languages"], by=current_user)
    flash(f"{person.name} works {person.capacity_minutes / 60:g} hours a week in {', '.join(fields['languages'])}.",
          "success")
    return redirect(url_for("supervision.person_page", staff_id=staff_id), 303)


@bp.post("/staff/<int:staff_id>/absences")
@supervisor_required
def add_absence(staff_id):
    person = person_or_404(staff_id)
    try:
        fields = AbsenceSchema().load({**request.form.to_dict(), "staff_id": str(staff_id)})
        team.add_absence(person.id, fields["starts_on"], fields["ends_on"], fields["note"], by=current_user)
    except ValidationError as error:
        return render_person(person, errors=first_errors(error), status=400)
    except ActionRefused as refusal:
        return render_person(person, errors={"starts_on": refusal.message}, status=409)
    flash(f"{person.name} is away from {fields['starts_on']:%-d %B} to {fields['ends_on']:%-d %B %Y}.", "success")
    return redirect(url_for("supervision.person_page", staff_id=staff_id), 303)


@bp.post("/staff/<int:staff_id>/absences/<int:absence_id>/delete")
@supervisor_required
def remove_absence(staff_id, absence_id):
    if not settings.remove_absence(person_or_404(staff_id), absence_id, by=current_user):
        abort(404)
    flash("Absence removed.", "success")
    return redirect(url_for("supervision.person_page", staff_id=staff_id), 303)


@bp.post("/staff/<int:staff_id>/cover")
@supervisor_required
def cover(staff_id):
    person = person_or_404(staff_id)
    try:
        fields = CoverSchema().load(request.form)
    except ValidationError as error:
        return render_person(person, errors=first_errors(error), status=400)
    to = None if fields["to"] == "queue" else int(fields["to"])
    try:
        done, skipped = rebalance.cover(person.id, to, fields["reason"], current_user,
                                        case_ids=fields["case_id"] or None)
    except ActionRefused as refusal:
        return render_person(person, errors={"to": refusal.message}, status=409)
    flash(f"Moved {len(done)} of {person.name}'s cases"
          + (f"; left {len(skipped)}: " + "; ".join(f"{ref} ({why})" for ref, why in skipped) if skipped else "")
          + ".", "success")
    return redirect(url_for("supervision.person_page", staff_id=staff_id), 303)


@bp.post("/cases/<int:case_id>/pin")
@supervisor_required
def pin(case_id):
    case = access.case_for(current_user, case_id)
    try:
        pinned = PinSchema().load(request.form)["pinned"]
    except ValidationError:
        abort(400)
    settings.set_pinned(case, pinned, by=current_user)
    flash("Pinned: the suggested rebalance leaves this case with its holder." if pinned
          else "Unpinned: the suggested rebalance may move this case.", "success")
    return redirect(url_for("console.case", case_id=case_id), 303)
