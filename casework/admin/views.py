"""The admin area: staff, and the wording of the messages Tandem sends."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework import messages
from casework.admin import team
from casework.admin.schemas import AbsenceSchema, DistrictSchema, QueueSettingsSchema, RuleSchema, WordingSchema
from casework.errors import ActionRefused
from casework.models import AssignmentMode
from casework.triage import rulebook
from core.auth import admin_required
from core.form_errors import first_messages
from core.security import keep_out_of_caches
from notifications import wording
from notifications.messages import EVENTS, LANGUAGES, MessageTemplateError, render_parts

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


bp.after_request(keep_out_of_caches)


@bp.get("/")
@admin_required
def home():
    return render_template("admin/home.html", staff=team.staff_directory())


@bp.get("/messages")
@admin_required
def message_list():
    return render_template("admin/messages.html", rows=wording.wording_table(), languages=LANGUAGES)


def known_event(event, language):
    audience = EVENTS.get(event, (None,))[0] or abort(404)
    if language not in (LANGUAGES if audience == "citizen" else ["en"]):
        abort(404)


def render_editor(event, language, values, errors=None, preview=None, case=None, status=200):
    return render_template(
        "admin/message.html", event=event, language=language, language_name=LANGUAGES[language],
        variables=EVENTS[event][1], values=values, errors=errors or {}, preview=preview, case=case,
    ), status


@bp.get("/messages/<event>/<language>")
@admin_required
def edit_message(event, language):
    known_event(event, language)
    subject, body = wording.current_wording(event, language)
    return render_editor(event, language, {"subject": subject, "body": body})


@bp.post("/messages/<event>/<language>")
@admin_required
def save_message(event, language):
    """Preview, save or reset, by the button pressed; the input is kept on every error."""
    known_event(event, language)
    if request.form.get("action") == "reset":
        wording.reset_wording(event, language, by=current_user)
        flash("The built-in wording applies again.", "success")
        return redirect(url_for("admin.edit_message", event=event, language=language), 303)
    try:
        fields = WordingSchema().load(request.form)
    except ValidationError as error:
        return render_editor(event, language, request.form, errors=first_messages(error.messages), status=400)
    case = messages.case_by_reference(fields["case_reference"]) if fields.get("case_reference") else messages.latest_case()
    if fields.get("case_reference") and case is None:
        return render_editor(event, language, request.form, status=400,
                             errors={"case_reference": "There is no case with that reference"})
    sample = messages.sample_payload(case) if case else messages.example_payload()
    try:
        if request.form.get("action") == "save":
            wording.save_wording(event, language, fields["subject"], fields["body"], sample, by=current_user)
            flash("Wording saved. New messages use it from now on.", "success")
            return redirect(url_for("admin.edit_message", event=event, language=language), 303)
        preview = render_parts(fields["subject"], fields["body"], sample, language)
    except MessageTemplateError as error:
        return render_editor(event, language, request.form, errors={"body": str(error)}, status=400)
    return render_editor(event, language, request.form, preview=preview, case=case)


@bp.get("/routing")
@admin_required
def rules():
    return render_template("admin/rules.html", rules=rulebook.all_rules(), districts=rulebook.all_districts(),
                           errors={}, values={})


def render_rule(rule, values, errors=None, effects=None, counts=None, examined=None, status=200):
    return render_template(
        "admin/rule.html", rule=rule, values=values, errors=errors or {}, effects=effects, counts=counts,
        examined=examined,
        choices=rulebook.rule_choices(), languages=LANGUAGES,
    ), status


def rule_or_404(rule_id):
    return rulebook.rule_by_id(rule_id) or abort(404) if rule_id else None


@bp.get("/routing/new")
@bp.get("/routing/<int:rule_id>")
@admin_required
def edit_rule(rule_id=None):
    rule = rule_or_404(rule_id)
    return render_rule(rule, rulebook.form_values(rule))


@bp.post("/routing/new")
@bp.post("/routing/<int:rule_id>")
@admin_required
def save_rule(rule_id=None):
    """Test the rule against recent requests, or save it, by the button pressed."""
    rule = rule_or_404(rule_id)
    try:
        fields = RuleSchema().load(request.form)
        candidate = rulebook.candidate_rule(fields, rule_id)
    except ValidationError as error:
        return render_rule(rule, request.form, errors=first_messages(error.messages), status=400)
    except rulebook.UnknownChoice as error:
        return render_rule(rule, request.form, errors={error.field: error.message}, status=400)
    if request.form.get("action") == "save":
        saved = rulebook.save_rule(rule, fields, by=current_user)
        flash(f"Rule “{saved.name}” saved. New requests are routed with it from now on.", "success")
        return redirect(url_for("admin.rules"), 303)
    draft = rulebook.draft_with(rule_id, candidate if fields["active"] else None, fields["position"])
    effects, counts, examined = rulebook.test_change(draft)
    return render_rule(rule, request.form, effects=effects, counts=counts, examined=examined)


@bp.post("/routing/districts")
@admin_required
def add_district():
    try:
        rulebook.add_district(DistrictSchema().load(request.form), by=current_user)
    except ValidationError as error:
        return render_template("admin/rules.html", rules=rulebook.all_rules(),
                               districts=rulebook.all_districts(), errors=first_messages(error.messages),
                               values=request.form), 400
    flash("Area added. Rules can now name it.", "success")
    return redirect(url_for("admin.rules"), 303)


@bp.get("/queues")
@admin_required
def queues():
    return render_queues({}, {})


def render_queues(errors, values, status=200):
    return render_template("admin/queues.html", queues=team.all_queues(), staff=team.staff_directory(),
                           absences=team.upcoming_absences(), modes=AssignmentMode, errors=errors,
                           values=values), status


@bp.post("/queues/<int:queue_id>")
@admin_required
def save_queue(queue_id):
    queue = team.queue_by_id(queue_id) or abort(404)
    try:
        fields = QueueSettingsSchema().load(request.form)
        team.configure_queue(queue, fields["assignment_mode"], fields["member_ids"], by=current_user,
                             hours=fields["hours"])
    except ValidationError as error:
        return render_queues({f"queue-{queue_id}": first_messages(error.messages).popitem()[1]}, {}, status=400)
    except ActionRefused as error:
        return render_queues({f"queue-{queue_id}": error.message}, {}, status=400)
    flash(f"{queue.name} saved.", "success")
    return redirect(url_for("admin.queues"), 303)


@bp.post("/absences")
@admin_required
def add_absence():
    try:
        fields = AbsenceSchema().load(request.form)
        team.add_absence(by=current_user, **fields)
    except ValidationError as error:
        return render_queues(prefixed_absence(first_messages(error.messages)), prefixed_absence(request.form), status=400)
    except ActionRefused as error:
        return render_queues({"absence-staff_id": error.message}, prefixed_absence(request.form), status=400)
    flash("Absence recorded. Auto-assignment skips them on those days.", "success")
    return redirect(url_for("admin.queues"), 303)


def prefixed_absence(by_field):
    """Key errors and input by the element ids of the absence form."""
    return {f"absence-{field}": value for field, value in by_field.items()}
