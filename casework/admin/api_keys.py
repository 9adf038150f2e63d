"""The admin page for Open311 API keys: issue one (shown once), revoke one."""
from flask import Blueprint, flash, render_template, request
from flask_login import current_user

from core import audit
from core.auth import admin_required
from core.extensions import db
from intake.open311.models import ApiClient

bp = Blueprint("admin_api_keys", __name__, url_prefix="/admin/api-keys", template_folder="templates")


@bp.after_request
def keep_out_of_caches(response):
    # the page that shows a new key must never be cached
    response.headers["Cache-Control"] = "no-store"
    return response


def render(errors=None, new_key=None, status=200):
    clients = db.session.scalars(db.select(ApiClient).order_by(ApiClient.created_at.desc())).all()
    return render_template("admin/api_keys.html", clients=clients, errors=errors or {},
                           new_key=new_key, values=request.form), status


@bp.get("/")
@admin_required
def index():
    return render()


@bp.post("/")
@admin_required
def issue():
    name = request.form.get("name", "").strip()
    if not name or len(name) > 120:
        return render(errors={"name": "Enter who the key is for, in 120 characters or fewer"}, status=400)
    client, key = ApiClient.issue(name)
    db.session.add(client)
    db.session.flush()
    audit.record("api_key_issued", actor=current_user, target=client, name=name)
    db.session.commit()
    return render(new_key=(client, key))


@bp.post("/<int:client_id>/revoke")
@admin_required
def revoke(client_id):
    client = db.session.get(ApiClient, client_id)
    if client is None:
        return render(errors={"name": "That key does not exist"}, status=404)
    client.active = False
    audit.record("api_key_revoked", actor=current_user, target=client)
    db.session.commit()
    flash(f"The key of {client.name} no longer works.", "success")
    return render()
