"""The account page's personal access tokens: make one (shown once), see yours, revoke one.

Also ``flask --app wsgi api issue-token EMAIL --name NAME [--write]`` for scripts.
"""
import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_login import current_user, login_required
from marshmallow import Schema, ValidationError, fields, validate

from core.accounts.services import issue_token, revoke_token
from core.accounts.tokens import EXPIRY_CHOICES, ApiToken, tokens_of
from core.extensions import db
from core.accounts.models import Staff
from core.security import keep_out_of_caches

bp = Blueprint("tokens", __name__, url_prefix="/staff/tokens")
cli = AppGroup("api", help="The staff API: personal access tokens for scripts.")


class TokenForm(Schema):
    name = fields.String(required=True, validate=validate.Length(
        min=1, max=80, error="Name the token in 80 characters or fewer"),
        error_messages={"required": "Name the token: what will use it?"})
    access = fields.String(load_default="read", validate=validate.OneOf(
        ["read", "write"], error="Choose read-only or read and write"))
    days = fields.String(load_default="90", validate=validate.OneOf(
        list(EXPIRY_CHOICES), error="Choose when the token expires"))


# the page that shows a new token must never be kept
bp.after_request(keep_out_of_caches)


def render(errors=None, new_token=None, status=200):
    return render_template("auth/tokens.html", tokens=tokens_of(current_user), errors=errors or {},
                           values=request.form, new_token=new_token), status


@bp.get("/")
@login_required
def index():
    return render()


@bp.post("/")
@login_required
def create():
    try:
        form = TokenForm().load({key: value.strip() for key, value in request.form.items() if key != "csrf_token"})
    except ValidationError as error:
        return render(errors={name: texts[0] for name, texts in error.messages.items()}, status=400)
    token, secret = issue_token(current_user, form["name"], form["access"] == "write", EXPIRY_CHOICES[form["days"]],
                                by=current_user)
    return render(new_token=(token, secret))


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.staff_id != current_user.id:
        return render(errors={"name": "That token is not one of yours"}, status=404)
    revoke_token(token, by=current_user)
    flash(f"The token {token.name} no longer works.", "success")
    return redirect(url_for("tokens.index"), 303)


@cli.command("issue-token")
@click.argument("email")
@click.option("--name", required=True, help="What will use the token, e.g. 'nightly GIS export'")
@click.option("--write", is_flag=True, help="Let it change cases (default: read-only)")
@click.option("--days", type=click.IntRange(1, 365), default=90, show_default=True, help="Days until it expires")
def issue_token_command(email, name, write, days):
    """Print a new personal access token of the staff member EMAIL (shown once)."""
    staff = db.session.scalar(db.select(Staff).filter_by(email=email.strip().lower()))
    if staff is None or not staff.active:
        raise click.ClickException(f"There is no active staff account {email}.")
    if not 1 <= len(name.strip()) <= 80:
        raise click.ClickException("Name the token in 1 to 80 characters.")
    token, secret = issue_token(staff, name.strip(), write, days, by=None)
    click.echo(secret)
    click.echo(f"{'read-write' if write else 'read-only'} token '{token.name}' of {staff.email}, "
               f"expires {token.expires_at:%Y-%m-%d}. It is shown this once.", err=True)


def init_app(app):
    app.register_blueprint(bp)
    app.cli.add_command(cli)
