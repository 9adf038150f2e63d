"""The admin page for what Tandem publishes: the fewest cases a public figure may rest on, and where the public
pages are."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError, fields, validate

from casework.forms import ConsoleForm, first_errors
from casework.public import figures
from casework.public.models import min_cases, save_min_cases
from core.auth import admin_required
from core.security import keep_out_of_caches

bp = Blueprint("admin_publishing", __name__, url_prefix="/admin/publishing", template_folder="templates")
bp.after_request(keep_out_of_caches)


class PublishingForm(ConsoleForm):
    min_cases = fields.Integer(
        required=True, validate=validate.Range(min=5, max=1000, error="Enter a number of cases from 5 to 1,000"),
        error_messages={"required": "Enter the fewest cases a figure may rest on",
                        "invalid": "Enter the number of cases as a whole number, like 10"})


@bp.get("/")
@admin_required
def index(values=None, errors=None, status=200):
    return render_template("public/publishing.html", values=values or {"min_cases": min_cases()},
                           errors=errors or {}), status


@bp.post("/")
@admin_required
def save():
    try:
        fields_ = PublishingForm().load(request.form)
    except ValidationError as error:
        return index(request.form, first_errors(error), 400)
    save_min_cases(fields_["min_cases"], current_user)
    figures.forget()
    flash(f"Saved. Public figures now rest on at least {fields_['min_cases']} cases.", "success")
    return redirect(url_for("admin_publishing.index"), 303)
