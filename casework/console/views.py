"""The staff console: queues, cases, steps, resolution; and the admin area."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework.console import access, services
from casework.errors import ActionRefused
from casework.models import Priority
from casework.triage import engine as triage
from casework.console.schemas import (
    MAX_STEP_MINUTES, AssignSchema, InformationRequestSchema, ManualRouteSchema, ReopenSchema, ReplySchema,
    ResolveSchema, StepSchema,
)
from core.auth import caseworker_required, supervisor_required
from core.extensions import db
from intake import photos
from intake.open311.models import ApiClient
from notifications.services import failures_for_request

bp = Blueprint("console", __name__, template_folder="templates")


@bp.after_request
def keep_out_of_caches(response):
    # console pages show citizens' details: never kept by browsers or proxies
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/console/")
@caseworker_required
def console_home():
    return render_template(
        "console/home.html",
        queues=services.queues_for(current_user),
        my_cases=services.my_open_cases(current_user),
    )


@bp.get("/console/queues/<int:queue_id>")
@caseworker_required
def queue(queue_id):
    work_queue = access.queue_for(current_user, queue_id)
    return render_template("console/queue.html", queue=work_queue, cases=services.open_cases_in_queue(queue_id))


def render_case(case, errors=None, values=None, contact_shown=False, status=200):
    return render_template(
        "console/case.html", case=case, step_types=services.step_types_for(case),
        assignable=services.assignable_staff(case), likely_duplicates=services.likely_duplicates(case),
        merged=services.merged_into(case), errors=errors or {}, values=values or {},
        contact_shown=contact_shown, max_minutes=MAX_STEP_MINUTES,
        failed_messages=failures_for_request(case.request_id),
        api_client=db.session.get(ApiClient, case.request.api_client_id) if case.request.api_client_id else None,
        photos=photos.photos_of(case.request_id),
    ), status


@bp.get("/console/cases/<int:case_id>/photos/<photo_token>")
@caseworker_required
def case_photo(case_id, photo_token):
    """A photo the citizen sent, for staff who may work the case."""
    work_case = access.case_for(current_user, case_id)
    found = photos.photo_for(work_case.request_id, photo_token) or abort(404)
    return Response(found.data, mimetype=found.content_type, headers={"Cache-Control": "no-store"})


@bp.get("/console/cases/<int:case_id>")
@caseworker_required
def case(case_id):
    return render_case(access.case_for(current_user, case_id))


@bp.post("/console/cases/<int:case_id>/contact")
@caseworker_required
def contact(case_id):
    work_case = access.case_for(current_user, case_id)
    services.reveal_contact(work_case, by=current_user)
    return render_case(work_case, contact_shown=True)


def case_action(case_id, form, schema, action, first_field, done_message):
    """Load ``form`` with ``schema``, run ``action(case, by=..., **fields)``, and answer like a form page.

    Validation errors re-render the case page (400) with the input kept; an
    action that does not fit the case's state re-renders it with why (409).
    """
    work_case = access.case_for(current_user, case_id)
    try:
        action(work_case, by=current_user, **schema().load(request.form))
    except ValidationError as error:
        return render_case(work_case, errors=prefixed(form, error.messages), values={form: request.form}, status=400)
    except ActionRefused as error:
        return render_case(work_case, errors={f"{form}-{first_field}": error.message}, values={form: request.form}, status=409)
    flash(done_message, "success")
    return redirect(url_for("console.case", case_id=case_id), 303)


@bp.post("/console/cases/<int:case_id>/steps")
@caseworker_required
def record_step(case_id):
    return case_action(case_id, "step", StepSchema, services.record_step, "effort_minutes", "Step recorded.")


@bp.post("/console/cases/<int:case_id>/reply")
@caseworker_required
def reply(case_id):
    return case_action(case_id, "reply", ReplySchema, services.reply_to_citizen, "message",
                       "Update posted. The citizen has been told.")


@bp.post("/console/cases/<int:case_id>/information-request")
@caseworker_required
def request_information(case_id):
    return case_action(case_id, "ask", InformationRequestSchema, services.request_information, "question",
                       "Question sent. The case now waits for the citizen.")


@bp.post("/console/cases/<int:case_id>/resolve")
@caseworker_required
def resolve(case_id):
    return case_action(case_id, "resolve", ResolveSchema, services.resolve_case, "public_note",
                       "Case resolved. The citizen has been told.")


@bp.post("/console/cases/<int:case_id>/reopen")
@caseworker_required
def reopen(case_id):
    return case_action(case_id, "reopen", ReopenSchema, services.reopen_case, "reason",
                       "Case reopened. The citizen has been told.")


@bp.post("/console/cases/<int:case_id>/assign")
@caseworker_required
def assign(case_id):
    def assign_to(work_case, by, staff_id):
        assignee = services.staff_member(staff_id)
        if assignee is None:
            raise ActionRefused("Choose someone from the list.")
        if assignee.id != by.id and not by.has_role("supervisor"):
            raise ActionRefused("Only supervisors can give a case to someone else.")
        services.assign_case(work_case, assignee, by=by)

    return case_action(case_id, "assign", AssignSchema, assign_to, "staff_id", "Case assigned.")


@bp.post("/console/cases/<int:case_id>/duplicates/<int:link_id>")
@caseworker_required
def decide_duplicate(case_id, link_id):
    work_case = access.case_for(current_user, case_id)
    confirmed = request.form.get("decision") == "confirm"
    try:
        services.decide_duplicate(work_case, link_id, confirmed, by=current_user)
    except ActionRefused as error:
        return render_case(work_case, errors={"duplicates": error.message}, status=409)
    flash("Merged: this citizen will hear the outcome of the earlier case." if confirmed
          else "Noted: not the same problem.", "success")
    return redirect(url_for("console.case", case_id=case_id), 303)


def prefixed(form, messages):
    """Field errors keyed by the element ids of ``form`` on the case page."""
    return {f"{form}-{field}": texts[0] if isinstance(texts, list) else str(texts)
            for field, texts in messages.items()}


@bp.get("/console/triage")
@supervisor_required
def triage_health():
    return render_triage_health({})


def render_triage_health(errors, status=200):
    return render_template(
        "console/triage.html", backlog=services.triage_backlog(), failed=triage.needing_manual_triage(),
        queues=services.all_queues(), errors=errors,
    ), status


@bp.post("/console/triage/<int:request_id>")
@supervisor_required
def route_by_hand(request_id):
    try:
        fields = ManualRouteSchema().load(request.form)
    except ValidationError as error:
        return render_triage_health({f"route-{request_id}": next(iter(prefixed("route", error.messages).values()))},
                                    status=400)
    queue = services.queue_by_id(fields["queue_id"])
    if queue is None:
        return render_triage_health({f"route-{request_id}": "Choose a queue from the list"}, status=400)
    case = triage.triage_by_hand(request_id, queue, Priority(fields["priority"]), by=current_user)
    if case is None:
        flash("That request was already routed.", "success")
        return redirect(url_for("console.triage_health"), 303)
    flash(f"{case.request.reference} routed to {queue.name}.", "success")
    return redirect(url_for("console.case", case_id=case.id), 303)
