"""The citizen's feedback page, reached from the tracking page and the resolution message."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from core import expired_forms
from core.extensions import limiter
from intake import services, survey
from intake.schemas import FeedbackSchema, translate_errors
from intake.tracking import progress_for

bp = Blueprint("survey", __name__, template_folder="templates")


@bp.after_request
def keep_out_of_caches(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def submission_limit():
    return current_app.config["SUBMISSION_RATE_LIMIT"]


def resolved_request(token):
    """The request behind ``token`` and which resolution it is at; 404 if unknown or not resolved."""
    service_request = services.find_by_token(token) or abort(404)
    resolution = progress_for(service_request).resolution
    if resolution is None:
        abort(404, gettext("There is nothing to give feedback on yet: your request is not resolved."))
    return service_request, resolution


def render_form(service_request, values, errors, status=200):
    agency = current_app.config["AGENCY_NAME"]
    return render_template(
        "intake/feedback.html", service_request=service_request, values=values, errors=errors,
        items=[(code, str(text).replace("%(agency)s", agency)) for code, text in survey.A11_ITEMS],
        agreement=[(str(value), str(label)) for value, label in survey.AGREEMENT], comment_max=survey.COMMENT_MAX,
    ), status


# GET only shows the form: a mail scanner following the link cannot answer for the citizen
@bp.get("/track/<token>/feedback")
def feedback_form(token):
    service_request, resolution = resolved_request(token)
    if survey.feedback_for(service_request, resolution) is not None:
        return render_template("intake/feedback_received.html", service_request=service_request)
    return render_form(service_request, {}, {})


@bp.post("/track/<token>/feedback")
@limiter.limit(submission_limit)
def give_feedback(token):
    service_request, resolution = resolved_request(token)
    if request.form.get("step") == "change":  # a language chosen mid-form: the form again, in it, as filled in
        return render_form(service_request, request.form, {})
    try:
        answers = FeedbackSchema().load(request.form)
    except ValidationError as error:
        errors = translate_errors(error.messages)
        return render_form(service_request, request.form, errors, status=400)
    feedback = survey.record_feedback(service_request, resolution, answers)
    if feedback is None:
        return render_template("intake/feedback_received.html", service_request=service_request)
    if feedback.fixed:
        flash(gettext("Thank you for your feedback. It helps us improve this service."), "success")
    else:
        flash(gettext("Thank you. We have reopened your request and the team has been told."), "success")
    return redirect(url_for("intake.track", token=token), 303)


expired_forms.register(bp, {
    "survey.give_feedback": lambda token: render_form(resolved_request(token)[0], request.form, {}, status=400),
})
