"""Public pages: the catalogue, the request form, confirmation and tracking."""
import uuid

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from core import expired_forms
from core.extensions import limiter
from core.i18n import current_language
from intake import photos, services
from intake.schemas import DESCRIPTION_MAX, AnswerSchema, SubmissionSchema, translate_errors
from intake.catalogue import search
from intake.questions import read_answers
from intake.tracking import answer_question, progress_for

bp = Blueprint("intake", __name__, template_folder="templates")


@bp.after_request
def keep_out_of_caches(response):
    # these pages can show a citizen's own details; no shared or back-button cache
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home():
    catalogue = services.active_services()
    query = request.args.get("q", "")[:100].strip()
    found = search(catalogue, query, current_language()) if query else None
    return render_template("intake/home.html", services=catalogue, query=query, found=found)


def render_form(values, errors, status=200, fresh=False):
    """The form with ``values``; ``fresh`` when its submission key is new (so no photos wait under it)."""
    chosen = services.service_by_code(values.get("service_code"))
    waiting = 0 if fresh else photos.waiting_count(values.get("submission_key"))
    # what casework publishes of the chosen service (its standard, how long requests took lately), where it does
    tell = current_app.extensions.get("tandem.expectation")
    return render_template(
        "intake/form.html",
        services=services.active_services(),
        chosen=chosen,
        expectation=tell(chosen, current_language()) if chosen and tell else [],
        question_values=values,
        values=values,
        errors=errors,
        description_max=DESCRIPTION_MAX,
        sms_available=bool(current_app.config.get("SMS_WEBHOOK_URL")),
        photos_waiting=waiting,
        # what the browser checks before sending: a body past MAX_CONTENT_LENGTH would lose the whole form
        photos_room=max(0, photos.MAX_PHOTOS - waiting), photo_most_bytes=photos.MAX_BYTES,
    ), status


@bp.get("/request")
def new_request():
    # a fresh key per form view: resubmitting this same form returns the same request
    values = {"service_code": request.args.get("service", ""), "submission_key": uuid.uuid4().hex}
    return render_form(values, {}, fresh=True)


def submission_limit():
    return current_app.config["SUBMISSION_RATE_LIMIT"]


@bp.post("/request")
@limiter.limit(submission_limit)
def submit():
    if request.form.get("website"):
        # only robots fill the hidden field; the page still tells a person what to do
        current_app.logger.info("submission refused: the honeypot field was filled")
        return render_form(request.form, {"website": gettext(
            "We could not accept this form. Leave the field labelled \u201cDo not fill this in\u201d empty "
            "and send it again.")}, status=400)
    if request.form.get("step") == "change":
        # back to the form as it was: the check page's "Change", or a language chosen mid-form (the switcher sends
        # the form rather than leave it behind: static/carry_form.js). Nothing is checked or saved but the photos
        key = (request.form.get("submission_key") or "")[:80]
        refused = keep_photos(key) if key else None
        return render_form(request.form, refused or {}, status=400 if refused else 200)
    chosen = services.service_by_code(request.form.get("service_code"))
    answers = read_answers(chosen, request.form, current_language()) if chosen else None
    try:
        submission = SubmissionSchema(anonymous_allowed=bool(chosen and chosen.allows_anonymous)).load(request.form)
    except ValidationError as error:
        return render_form(request.form, flatten(error.messages) | (answers.errors if answers else {}), status=400)
    if chosen is None:
        # a code no listed service has (typed into the address, or a service since retired)
        return render_form(request.form, {"service_code": gettext("Select one of the services listed")}, status=400)
    if answers and answers.errors:
        return render_form(request.form, answers.errors, status=400)
    if answers and answers.stop_notice:
        # nothing is recorded: this needs a call, not a form
        return render_template("intake/stop.html", service=chosen, notice=answers.stop_notice)
    refused = keep_photos(submission.get("submission_key") or "")
    if refused:
        return render_form(request.form, refused, status=400)
    if request.form.get("step") == "check":
        # the GOV.UK pattern: the citizen sees everything once more before sending
        return render_check(chosen, request.form, submission, answers)
    submission["answers"] = answers.values if answers else {}
    key = submission.get("submission_key")
    try:
        service_request, _created = services.submit_request(
            submission, language=submission.get("language") or current_language(), service=chosen,
            attach=lambda new_request: photos.attach_waiting(key, new_request.id))
    except services.SubmissionRejected as error:
        return render_form(request.form, translate_errors(error.errors), status=400)
    return redirect(url_for("intake.confirmation", token=service_request.tracking_token), 303)


def keep_photos(key):
    """Keep the photos sent with the form under submission ``key``; the error to show beside the field, or None."""
    try:
        photos.keep_uploads(request.files.getlist("photos"), key)
    except photos.PhotoRejected as error:
        return {"photos": gettext(str(error))}
    return None


def render_check(service, form, submission, answers):
    """The check-your-answers page: every answer with a way back, and the form carried in hidden fields."""
    language = current_language()
    asked = []
    for question in service.questions if service else []:
        if question.variable and question.code in (answers.values if answers else {}):
            value = answers.values[question.code]
            labels = dict(question.choices(language))
            shown = ", ".join(labels.get(v, v) for v in value) if isinstance(value, list) else labels.get(value, value)
            asked.append((question.translated("prompt", language), shown))
    carried = [(name, value) for name in form for value in form.getlist(name)
               if name not in ("csrf_token", "step")]
    return render_template("intake/check.html", service=service, submission=submission, asked=asked,
                           carried=carried, photos_waiting=photos.waiting_count(submission.get("submission_key")))


def flatten(messages):
    """Keep the first message per field, in the citizen's language: one clear sentence beside each."""
    return translate_errors(messages)


@bp.get("/track/<token>/submitted")
def confirmation(token):
    service_request = services.find_by_token(token) or abort(404)
    return render_template("intake/confirmation.html", service_request=service_request)


@bp.get("/track/<token>")
def track(token):
    service_request = services.find_by_token(token) or abort(404)
    return render_tracking(service_request)


@bp.get("/track/<token>/photos/<photo_token>")
def photo(token, photo_token):
    """A photo of the request, for the holder of its private link only; never cached."""
    service_request = services.find_by_token(token) or abort(404)
    found = photos.photo_for(service_request.id, photo_token) or abort(404)
    return Response(found.data, mimetype=found.content_type, headers={"Cache-Control": "no-store"})


def render_tracking(service_request, errors=None, values=None, status=200):
    return render_template(
        "intake/track.html", service_request=service_request, progress=progress_for(service_request),
        photos=photos.photos_of(service_request.id),
        errors=errors or {}, values=values or {}, description_max=DESCRIPTION_MAX,
    ), status


@bp.post("/track/<token>/answer")
@limiter.limit(submission_limit)
def answer(token):
    service_request = services.find_by_token(token) or abort(404)
    if request.form.get("step") == "change":  # a language chosen mid-answer: the page again, in it, as typed
        return render_tracking(service_request, values=request.form)
    try:
        reply = AnswerSchema().load(request.form)
    except ValidationError as error:
        return render_tracking(service_request, errors=flatten(error.messages), values=request.form, status=400)
    if not answer_question(service_request, reply["answer"]):
        # only before triage has opened a case; the form is not offered then
        flash(gettext("We could not pass on your answer yet. Please try again in a few minutes."), "error")
        return render_tracking(service_request, values=request.form, status=409)
    flash(gettext("Thank you. Your answer has been sent to the team."), "success")
    return redirect(url_for("intake.track", token=token), 303)


expired_forms.register(bp, {
    "intake.submit": lambda: render_form(request.form, {}, status=400),
    "intake.answer": lambda token: render_tracking(services.find_by_token(token) or abort(404), values=request.form,
                                                   status=400),
})
