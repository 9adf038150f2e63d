"""The admin page that names a team (a department) in English and in each language citizens read."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casework.admin.catalogue_forms import translated_texts
from casework.admin.service_views import other_languages
from core.auth import admin_required
from core.security import keep_out_of_caches
from intake import catalogue_edit

bp = Blueprint("admin_departments", __name__, url_prefix="/admin/catalogue/teams", template_folder="templates")
bp.after_request(keep_out_of_caches)

NAME_LIMIT = 120


def render(department, values, errors=None, status=200):
    return render_template("admin/department.html", department=department, values=values, errors=errors or {},
                           languages=other_languages(), limit=NAME_LIMIT), status


def department_or_404(code):
    return catalogue_edit.department_by_code(code) or abort(404)


@bp.get("/<code>")
@admin_required
def edit_department(code):
    department = department_or_404(code)
    values = {"name": department.name}
    for language in other_languages():
        values[f"name_{language}"] = (department.translations or {}).get(language, {}).get("name", "")
    return render(department, values)


@bp.post("/<code>")
@admin_required
def save_department(code):
    """Save the names; on any error nothing changes and what was typed is shown again."""
    department = department_or_404(code)
    form = request.form.to_dict()
    name = (form.get("name") or "").strip()
    texts, errors = translated_texts(form, other_languages(), {"name": NAME_LIMIT})
    if not name:
        errors["name"] = "Enter the team's name"
    elif len(name) > NAME_LIMIT:
        errors["name"] = f"Keep the name to {NAME_LIMIT} characters"
    if errors:
        return render(department, form, errors, status=400)
    catalogue_edit.save_department(department, name, texts, by=current_user)
    flash(f"“{name}” saved. Citizens read it in their language from now on.", "success")
    return redirect(url_for("admin_catalogue.index") + "#teams", 303)
