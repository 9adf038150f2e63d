"""The admin page for the service catalogue: see it, download it as a file, import an edited file."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casework.models import StepType
from core import audit
from core.auth import admin_required
from core.extensions import db
from intake import catalogue_edit
from intake.catalogue_io import CatalogueError, dump, export_catalogue, import_catalogue, parse
from intake.models import Service

bp = Blueprint("admin_catalogue", __name__, url_prefix="/admin/catalogue", template_folder="templates")
MAX_FILE = 512 * 1024


def render(errors=None, preview=None, text="", status=200):
    services = db.session.scalars(db.select(Service).order_by(Service.group, Service.name)).all()
    # each service's workflow at a glance: how many steps, and their standard minutes in all
    workflow = {service_id: (count, minutes) for service_id, count, minutes in db.session.execute(
        db.select(StepType.service_id, db.func.count(StepType.id), db.func.sum(StepType.standard_minutes))
        .group_by(StepType.service_id))}
    return render_template("admin/catalogue.html", services=services, workflow=workflow,
                           departments=catalogue_edit.departments(), errors=errors or {}, preview=preview, text=text), status


@bp.get("/")
@admin_required
def index():
    return render()


@bp.get("/catalogue.<fmt>")
@admin_required
def download(fmt):
    if fmt not in ("yaml", "json"):
        return render(errors={"file": "Download as yaml or json"}, status=404)
    mimetype = "application/json" if fmt == "json" else "application/yaml"
    return Response(dump(export_catalogue(), fmt), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=catalogue.{fmt}"})


def uploaded_text():
    """The uploaded file (or the text carried from the preview) and its format; raise CatalogueError."""
    upload = request.files.get("file")
    if upload and upload.filename:
        raw = upload.read(MAX_FILE + 1)
        if len(raw) > MAX_FILE:
            raise CatalogueError(["the file is larger than 512 kB"])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CatalogueError(["the file is not UTF-8 text"]) from None
        return text, "json" if upload.filename.lower().endswith(".json") else "yaml"
    text = request.form.get("text", "")
    if not text:
        raise CatalogueError(["choose a YAML or JSON file to import"])
    return text, request.form.get("format", "yaml")


@bp.post("/import")
@admin_required
def import_file():
    """First a preview of what would change; then, with ``apply``, the change itself."""
    try:
        text, fmt = uploaded_text()
        apply = request.form.get("apply") == "yes"
        changes = import_catalogue(parse(text, fmt), dry_run=not apply)
    except CatalogueError as error:
        db.session.rollback()
        return render(errors={"file": "The catalogue was not changed: " + "; ".join(error.problems[:20])},
                      status=400)
    if not apply:
        return render(preview={"changes": changes, "format": fmt}, text=text)
    audit.record_now("catalogue_imported", actor=current_user, changes=len(changes), source="console")
    flash(f"The catalogue was updated: {len(changes)} changes." if changes else "Nothing needed changing.",
          "success")
    return redirect(url_for("admin_catalogue.index"), 303)
