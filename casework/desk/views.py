"""The contact desk's pages: a new request for a caller on one page (look the caller up, choose the service and
answer its questions, save), and the reference to read back."""
import uuid
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from flask_login import current_user
from marshmallow import ValidationError

from casework.desk import bp, callers, contacts, nearby, services
from casework.desk.schemas import DESK_CHANNELS, FOR_WHOM, HEAR_BY, LookupSchema
from casework.errors import ActionRefused
from core import expired_forms
from core.auth import caseworker_required, refuse, supervisor_required
from core.extensions import db
from core.form_errors import first_messages
from core.input_guard import NUL, names_nul_beside_its_field
from core.timeutil import utcnow
from intake import catalogue, services as intake_services
from intake.models import ServiceRequest


def render(values, errors=None, found=None, looked_up=False, status=200, matches=None):
    chosen = intake_services.service_by_code(values.get("service_code"))
    started_at = contact_started(values)
    near = nearby.open_cases_near(chosen.id if chosen else None, values.get("address"), *coordinates(values))
    return render_template(
        "desk/new.html", values=values, errors=errors or {}, found=found or [], looked_up=looked_up, near=near,
        services=intake_services.active_services(), chosen=chosen, channels=DESK_CHANNELS, for_whom=FOR_WHOM,
        hear_by=HEAR_BY, languages=current_app.extensions["tandem.languages"], topics=contacts.active_topics(),
        sms_available=bool(current_app.config.get("SMS_WEBHOOK_URL")), started_at=started_at,
        suggested_minutes=suggested_minutes(values, started_at), matches=matches), status


def find_service(form):
    """The page after "Find the service": the services matching the agent's words (in the caller's language
    and in English, as the public form searches), the best one chosen unless the agent chose one already."""
    matches = catalogue.search(intake_services.active_services(), form.get("service_words"),
                               form.get("language") or "en")
    values = MultiDict(form)
    if matches and not values.get("service_code"):
        values["service_code"] = matches[0].code
    return render(values, matches=matches)


def contact_started(values):
    """When this contact began (the page's hidden field, set when the agent opened a new contact), or None."""
    try:
        started = datetime.fromisoformat(values.get("contact_started") or "")
    except ValueError:
        return None
    return started if started.tzinfo is not None and started <= utcnow() else None


def suggested_minutes(values, started_at):
    """The minutes to offer before the agent corrects them: the timer's (the page's script counts only while
    the page is in view), else the time since the contact began, at least 1."""
    try:
        seconds = float(values.get("contact_seconds") or "")
    except ValueError:
        seconds = (utcnow() - started_at).total_seconds() if started_at else 0
    if seconds != seconds or seconds < 0:  # NaN or negative: nothing to go by
        seconds = 0
    return max(1, min(480, round(seconds / 60)))


def coordinates(values):
    """``(lat, long)`` typed on the form, or ``(None, None)`` when either is missing or not a number."""
    try:
        lat, long = float(values.get("lat") or ""), float(values.get("long") or "")
    except ValueError:
        return None, None
    return (lat, long) if -90 <= lat <= 90 and -180 <= long <= 180 else (None, None)


def fresh_call():
    """A new call's form: a key of its own (saving this form twice makes one request) and the usual choices."""
    return {"submission_key": uuid.uuid4().hex, "channel": "phone", "for_whom": "caller", "hear_by": "email",
            "language": "en", "contact_started": utcnow().isoformat(timespec="seconds")}


@bp.get("/")
@caseworker_required
def new_contact():
    return render(fresh_call())


def form_without_nul():
    """The posted form with any NUL character taken out, and ``{field: message}`` naming the fields that had one
    (no column stores it; the agent sees which field a paste brought it into, with the rest of what they typed)."""
    found = {name: "Remove the invisible null character from this field (pasted from another program?)"
             for name, value in request.form.items(multi=True) if NUL in value or NUL in name}
    if not found:
        return request.form, {}
    return MultiDict([(name.replace(NUL, ""), value.replace(NUL, ""))
                      for name, value in request.form.items(multi=True)]), found


@bp.post("/")
@caseworker_required
@names_nul_beside_its_field
def take_contact():
    """One form, three buttons: look the caller up, show the chosen service's questions, or save."""
    form, unstorable = form_without_nul()
    if unstorable:
        return render(form, unstorable, status=400)
    step = form.get("step")
    if step == "lookup":
        try:
            who = LookupSchema().load(form)
        except ValidationError as error:
            return render(form, first_messages(error.messages), looked_up=True, status=400)
        found = callers.requests_of(current_user, phone=who.get("caller_phone"), email=who.get("caller_email"))
        return render(form, found=found, looked_up=True)
    if step == "find":
        return find_service(form)
    if step in ("service", "nearby"):
        return render(form)
    try:
        service_request, _created, _case = services.take_call(form, by=current_user)
    except services.CallRefused as refused:
        return render(form, refused.errors, status=400)
    return redirect(url_for("desk.taken", request_id=service_request.id), 303)


def call_given_back():
    """The call's form as typed after its token went stale (the agent signed in again since the page opened),
    for a caseworker only: the page lists open cases near the address, which nobody else may see."""
    if not (current_user.is_authenticated and current_user.has_role("caseworker")):
        return None
    form, _unstorable = form_without_nul()
    return render(form, status=400)


expired_forms.register(bp, {"desk.take_contact": call_given_back},
                       notice=lambda: "This form had expired, so nothing was saved. Check it and save it again.")


@bp.post("/answered")
@caseworker_required
@names_nul_beside_its_field
def answered():
    """A contact answered without a request: its topic, channel and minutes; no personal data."""
    form, unstorable = form_without_nul()
    if unstorable:
        return render({**fresh_call(), **form.to_dict()}, unstorable, status=400)
    minutes = form.get("answered_minutes", "").strip()
    try:
        contacts.record_contact(form.get("topic_id", type=int), form.get("contact_channel"),
                                int(minutes) if minutes.isdigit() else None, form.get("contact_case"),
                                by=current_user)
    except ActionRefused as problem:
        return render({**fresh_call(), **form.to_dict()}, {problem.field: problem.message}, status=400)
    flash("Contact recorded as answered on the spot.", "success")
    return redirect(url_for("desk.new_contact"), 303)


@bp.get("/summary")
@supervisor_required
def summary():
    """What the desk handled in the last 30 days: contacts by day, channel and topic, answered on the spot."""
    return render_template("desk/summary.html", found=contacts.summary(), channels=DESK_CHANNELS)


@bp.get("/taken/<int:request_id>")
@caseworker_required
def taken(request_id):
    """The reference, large enough to read back, and whether the caller will get the tracking link."""
    service_request = db.session.get(ServiceRequest, request_id) or abort(404)
    if service_request.channel not in DESK_CHANNELS:
        abort(404)
    if not current_user.has_role("supervisor") and not services.taken_by(service_request, current_user):
        refuse("the desk's confirmation of another agent's call",
               "Only the person who took the call (or a supervisor) sees this page. Find the case by its reference.")
    return render_template("desk/taken.html", service_request=service_request,
                           route=service_request.contact_address())
