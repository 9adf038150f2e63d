"""The admin area's home (the staff) and the wording of the messages Tandem sends."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework import messages
from casework.admin import bp, team
from casework.admin.schemas import WordingSchema
from core.auth import admin_required
from core.form_errors import first_messages
from core.i18n import language_name, offered_languages
from notifications import wording
from notifications.messages import EVENTS, MessageTemplateError, render_parts


@bp.get("/")
@admin_required
def home():
    return render_template("admin/home.html", staff=team.staff_directory())


@bp.get("/messages")
@admin_required
def message_list():
    return render_template("admin/messages.html", rows=wording.wording_table(), languages=offered_languages())


def known_event(event, language):
    audience = EVENTS.get(event, (None,))[0] or abort(404)
    if language not in (offered_languages() if audience == "citizen" else ["en"]):
        abort(404)


def render_editor(event, language, values, errors=None, preview=None, case=None, status=200):
    return render_template(
        "admin/message.html", event=event, language=language, language_name=language_name(language),
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
