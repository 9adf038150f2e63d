"""The admin page for API access: Open311 keys (issue, shown once; revoke) and every staff token (revoke),
each with its own quota of requests a minute."""
from flask import Blueprint, flash, render_template, request
from flask_login import current_user

from casework.admin import api_access
from core.accounts import services as accounts
from core.auth import admin_required
from core.extensions import db
from core.accounts.tokens import ApiToken, all_tokens
from core.security import keep_out_of_caches
from intake.open311.models import ApiClient

# a quota admins may set: at least one request a minute, at most 100 a second
QUOTA_RANGE = (1, 6000)

bp = Blueprint("admin_api_keys", __name__, url_prefix="/admin/api-keys", template_folder="templates")


# the page that shows a new key must never be cached
bp.after_request(keep_out_of_caches)


def render(errors=None, new_key=None, status=200):
    return render_template("admin/api_keys.html", clients=api_access.all_clients(), tokens=all_tokens(), errors=errors or {},
                           new_key=new_key, values=request.form, quota_range=QUOTA_RANGE), status


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
    client, key = api_access.issue_key(name, by=current_user)
    return render(new_key=(client, key))


@bp.post("/<int:client_id>/revoke")
@admin_required
def revoke(client_id):
    client = db.session.get(ApiClient, client_id)
    if client is None:
        return render(errors={"name": "That key does not exist"}, status=404)
    api_access.revoke_key(client, by=current_user)
    flash(f"The key of {client.name} no longer works.", "success")
    return render()


def quota_from_form():
    """The quota typed, or None when it is not a whole number in ``QUOTA_RANGE``."""
    typed = request.form.get("requests_per_minute", "").strip()
    if not typed.isdigit() or not QUOTA_RANGE[0] <= int(typed) <= QUOTA_RANGE[1]:
        return None
    return int(typed)


def quota_refused(field):
    low, high = QUOTA_RANGE
    return render(errors={field: f"Enter the requests a minute as a whole number from {low} to {high:,}"}, status=400)


@bp.post("/<int:client_id>/quota")
@admin_required
def set_client_quota(client_id):
    client = db.session.get(ApiClient, client_id)
    if client is None:
        return render(errors={"name": "That key does not exist"}, status=404)
    quota = quota_from_form()
    if quota is None:
        return quota_refused(f"quota-client-{client_id}")
    api_access.set_client_quota(client, quota, by=current_user)
    flash(f"{client.name} may now make {quota:,} requests a minute.", "success")
    return render()


@bp.post("/tokens/<int:token_id>/quota")
@admin_required
def set_token_quota(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        return render(errors={"name": "That token does not exist"}, status=404)
    quota = quota_from_form()
    if quota is None:
        return quota_refused(f"quota-token-{token_id}")
    accounts.set_token_quota(token, quota, by=current_user)
    flash(f"The token {token.name} may now make {quota:,} requests a minute.", "success")
    return render()


@bp.post("/tokens/<int:token_id>/revoke")
@admin_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        return render(errors={"name": "That token does not exist"}, status=404)
    accounts.revoke_token(token, by=current_user)
    flash(f"The token {token.name} of {token.staff.name} no longer works.", "success")
    return render()
