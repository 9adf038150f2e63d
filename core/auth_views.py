"""Staff sign-in and sign-out pages."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from core import audit
from core.extensions import db
from core.models import Staff

bp = Blueprint("auth", __name__, url_prefix="/staff")


def safe_next(target):
    """Return ``target`` if it is a path on this site, else the console home."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("casework.console_home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("casework.console_home"))
    errors = {}
    email = request.form.get("email", "").strip().lower()[:254]
    if request.method == "POST":
        password = request.form.get("password", "")[:1024]
        staff = db.session.scalar(db.select(Staff).filter_by(email=email)) if email else None
        if staff is not None and staff.active and staff.check_password(password):
            # a fresh session on sign-in, so a planted session id is worthless
            session.clear()
            login_user(staff)
            audit.record_now("signed_in", actor=staff)
            return redirect(safe_next(request.args.get("next")))
        # the account, if any, is named by id: the typed address stays out of the trail
        audit.record_now("sign_in_failed", target=staff if staff is not None else None)
        errors["email"] = "Enter a correct email address and password"
    return render_template("auth/login.html", errors=errors, values={"email": email}), 400 if errors else 200


@bp.post("/logout")
@login_required
def logout():
    audit.record_now("signed_out", actor=current_user)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
