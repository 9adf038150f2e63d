"""The admin pages that edit one service of the catalogue: its settings, questions and workflow steps."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from casework.admin import step_types
from core.form_errors import first_messages
from casework.admin.catalogue_forms import (QUESTION_TEXT_LIMITS, SERVICE_TEXT_LIMITS, QuestionForm, ServiceForm, StepForm,
                                      question_values, service_values, translated_texts)
from core.auth import admin_required
from core.i18n import offered_languages
from core.security import keep_out_of_caches
from intake import catalogue_edit
from intake.models import QuestionType

bp = Blueprint("admin_services", __name__, url_prefix="/admin/catalogue/services", template_folder="templates")
DATATYPES = [(QuestionType.STRING, "Short text"), (QuestionType.TEXT, "Long text"), (QuestionType.NUMBER, "Number"),
             (QuestionType.DATETIME, "Date and time"), (QuestionType.SINGLE, "One choice from a list"),
             (QuestionType.MULTI, "Several choices from a list")]


bp.after_request(keep_out_of_caches)


def other_languages():
    """The languages citizens can choose besides English, named in English for staff ("Spanish")."""
    return {code: name for code, name in offered_languages().items() if code != "en"}


def service_or_404(code):
    return catalogue_edit.service_by_code(code) or abort(404)


def question_or_404(service, question_code):
    return catalogue_edit.question_by_code(service, question_code) or abort(404)


def back_to(service, section):
    """After a change: the service's page, at the ``section`` changed."""
    return redirect(url_for("admin_services.edit_service", code=service.code, _anchor=section), 303)


def render_service(service, values, errors=None, status=200):
    return render_template("admin/service.html", service=service, values=values, errors=errors or {},
                           departments=catalogue_edit.departments(), languages=other_languages(),
                           datatype_names=dict(DATATYPES),
                           steps=step_types.steps_of(service.id) if service else []), status


def render_question(service, question, values, errors=None, status=200):
    return render_template("admin/question.html", service=service, question=question, values=values,
                           errors=errors or {}, datatypes=DATATYPES, languages=other_languages()), status


@bp.get("/new")
@admin_required
def new_service():
    return render_service(None, {"active": True, "first_response_hours": 24, "resolution_hours": 120,
                                 "cost_per_minute": 0.75, "on_time_goal": 80})


@bp.get("/<code>")
@admin_required
def edit_service(code):
    service = service_or_404(code)
    return render_service(service, service_values(service, other_languages()))


@bp.post("/new")
@bp.post("/<code>")
@admin_required
def save_service(code=None):
    """Create or update the service; on any error nothing changes and the input is shown again."""
    service = service_or_404(code) if code else None
    form = request.form.to_dict()
    if service is not None:
        form["code"] = service.code  # a code is an identifier: rules, files and the API refer to it
    texts, errors = translated_texts(form, other_languages(), SERVICE_TEXT_LIMITS)
    try:
        fields = ServiceForm().load(form)
    except ValidationError as error:
        errors = {**first_messages(error.messages), **errors}
    if errors:
        return render_service(service, form, errors, status=400)
    try:
        saved = catalogue_edit.save_service(service, fields, texts, by=current_user)
    except catalogue_edit.CatalogueConflict as conflict:
        return render_service(service, form, {conflict.field: conflict.message}, status=400)
    flash(f"“{saved.name}” saved. The public form shows it from now on." if saved.active
          else f"“{saved.name}” saved. It is not offered to citizens.", "success")
    return redirect(url_for("admin_services.edit_service", code=saved.code), 303)


@bp.get("/<code>/questions/new")
@admin_required
def new_question(code):
    return render_question(service_or_404(code), None, {"variable": True, "datatype": QuestionType.STRING})


@bp.get("/<code>/questions/<question_code>")
@admin_required
def edit_question(code, question_code):
    service = service_or_404(code)
    question = question_or_404(service, question_code)
    return render_question(service, question, question_values(question, other_languages()))


@bp.post("/<code>/questions/new")
@bp.post("/<code>/questions/<question_code>")
@admin_required
def save_question(code, question_code=None):
    """Add or update a question; on any error nothing changes and the input is shown again."""
    service = service_or_404(code)
    question = question_or_404(service, question_code) if question_code else None
    form = request.form.to_dict()
    if question is not None:
        form["code"] = question.code  # routing rules and stored answers refer to it
    errors = {}
    try:
        fields = QuestionForm().load(form)
    except ValidationError as error:
        fields, errors = None, first_messages(error.messages)
    english = fields["values"] if fields else []
    texts, text_errors = translated_texts(form, other_languages(), QUESTION_TEXT_LIMITS, choices=english)
    errors = {**errors, **text_errors}
    if errors:
        return render_question(service, question, form, errors, status=400)
    try:
        saved = catalogue_edit.save_question(service, question, fields, texts, by=current_user)
    except catalogue_edit.CatalogueConflict as conflict:
        return render_question(service, question, form, {conflict.field: conflict.message}, status=400)
    flash(f"Question “{saved.prompt}” saved.", "success")
    return back_to(service, "questions")


@bp.post("/<code>/questions/<question_code>/move")
@admin_required
def move_question(code, question_code):
    service = service_or_404(code)
    question = question_or_404(service, question_code)
    catalogue_edit.move_question(service, question, -1 if request.form.get("direction") == "up" else 1,
                                 by=current_user)
    return back_to(service, "questions")


@bp.post("/<code>/questions/<question_code>/remove")
@admin_required
def remove_question(code, question_code):
    service = service_or_404(code)
    question = question_or_404(service, question_code)
    catalogue_edit.remove_question(service, question, by=current_user)
    flash(f"Question “{question.prompt}” removed from the form. Answers already given stay on their requests.",
          "success")
    return back_to(service, "questions")


def step_or_404(service, step_id):
    return step_types.step_of(service.id, step_id) or abort(404)


def render_step(service, step, values, errors=None, status=200):
    return render_template("admin/step.html", service=service, step=step, values=values,
                           errors=errors or {}), status


@bp.post("/<code>/steps/new")
@admin_required
def add_step(code):
    """Add a workflow step from the form on the service's page; errors are shown there, input kept."""
    service = service_or_404(code)
    try:
        fields = StepForm().load(request.form)
    except ValidationError as error:
        values = {**service_values(service, other_languages()), **request.form.to_dict()}
        return render_service(service, values, first_messages(error.messages), status=400)
    step = step_types.save_step(service, None, fields["name"], fields["standard_minutes"], by=current_user)
    flash(f"Step “{step.name}” added.", "success")
    return back_to(service, "steps")


@bp.get("/<code>/steps/<int:step_id>")
@admin_required
def edit_step(code, step_id):
    service = service_or_404(code)
    step = step_or_404(service, step_id)
    return render_step(service, step, {"step_name": step.name, "step_minutes": step.standard_minutes})


@bp.post("/<code>/steps/<int:step_id>")
@admin_required
def save_step(code, step_id):
    service = service_or_404(code)
    step = step_or_404(service, step_id)
    try:
        fields = StepForm().load(request.form)
    except ValidationError as error:
        return render_step(service, step, request.form, first_messages(error.messages), status=400)
    step_types.save_step(service, step, fields["name"], fields["standard_minutes"], by=current_user)
    flash(f"Step “{step.name}” saved. New cases' estimates use it from now on.", "success")
    return back_to(service, "steps")


@bp.post("/<code>/steps/<int:step_id>/remove")
@admin_required
def remove_step(code, step_id):
    service = service_or_404(code)
    step = step_or_404(service, step_id)
    try:
        step_types.remove_step(service, step, by=current_user)
    except step_types.StepInUse as refusal:
        flash(str(refusal), "error")
    else:
        flash(f"Step “{step.name}” removed.", "success")
    return back_to(service, "steps")
