"""Staff sign-in, the second factor, sign-out, the account page and password change pages."""
from hashlib import sha256
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from core import audit
from core.accounts import two_step
from core.extensions import db, limiter
from core.accounts.models import Staff
from core.accounts.services import change_password as change_password_of, sign_out_everywhere
from core.accounts.sessions import start_session
from core.accounts.tokens import tokens_of

bp = Blueprint("auth", __name__, url_prefix="/staff")

# the account waiting for its second factor, between the two sign-in steps
PENDING = "pending_staff_id"


def safe_next(target):
    """Return ``target`` if it is a path on this site, else the console home."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("console.console_home")


def failed(response):
    # only failed attempts count: a real user signing in is never slowed by the limits
    return response.status_code == 400


def account_and_address():
    """Throttle key: the typed account (hashed, never stored as typed) from this address."""
    email = request.form.get("email", "").strip().lower()[:254]
    return f"{sha256(email.encode()).hexdigest()[:16]}@{get_remote_address()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"], deduct_when=failed)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=account_and_address,
               methods=["POST"], deduct_when=failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("console.console_home"))
    errors = {}
    email = request.form.get("email", "").strip().lower()[:254]
    if request.method == "POST":
        password = request.form.get("password", "")[:1024]
        staff = db.session.scalar(db.select(Staff).filter_by(email=email)) if email else None
        if staff is not None and staff.active and staff.check_password(password):
            if staff.totp_secret:
                session.clear()
                session[PENDING] = staff.id
                return redirect(url_for("auth.second_factor", next=request.args.get("next")))
            start_session(staff)
            audit.record_now("signed_in", actor=staff)
            return redirect(safe_next(request.args.get("next")))
        # the account, if any, is named by id: the typed address stays out of the trail
        audit.record_now("sign_in_failed", target=staff if staff is not None else None)
        errors["email"] = "Enter a correct email address and password"
    return render_template("auth/login.html", errors=errors, values={"email": email}), 400 if errors else 200


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=failed)
def second_factor():
    staff = db.session.get(Staff, session.get(PENDING, 0))
    if staff is None or not staff.totp_secret:
        return redirect(url_for("auth.login"))
    errors = {}
    if request.method == "POST":
        if two_step.verify(staff, request.form.get("code", "")):
            start_session(staff)
            audit.record_now("signed_in", actor=staff, second_factor=True)
            return redirect(safe_next(request.args.get("next")))
        audit.record_now("second_factor_failed", target=staff)
        errors["code"] = "Enter the 6-digit code your authenticator app shows now"
    return render_template("auth/code.html", errors=errors), 400 if errors else 200


@bp.post("/logout")
@login_required
def logout():
    # signed out here means signed out on every device
    sign_out_everywhere(db.session.get(Staff, current_user.id))
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.post("/keep-alive")
@login_required
def keep_alive():
    """The idle warning's "Stay signed in". Any signed-in request is activity (``sessions.enforce_timeouts`` moves
    the idle clock on), so this only answers: 204, or the sign-in redirect once the session has already ended."""
    return "", 204


@bp.get("/account")
@login_required
def account():
    """One page for what is the staff member's own: their password, two-step sign-in and API tokens (three links
    of the header before, which ran to three rows for a supervisor)."""
    staff = db.session.get(Staff, current_user.id)
    active_tokens = sum(token.status == "active" for token in tokens_of(staff))
    return render_template("auth/account.html", staff=staff, active_tokens=active_tokens)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    errors = {}
    if request.method == "POST":
        staff = db.session.get(Staff, current_user.id)
        errors = change_password_of(staff, *(request.form.get(name, "")[:1024] for name in ("current", "new", "again")))
        if not errors:
            start_session(staff)  # this session goes on; every other one has ended
            flash("Your password has been changed. You have been signed out everywhere else.", "success")
            return redirect(url_for("console.console_home"))
    return render_template("auth/password.html", errors=errors), 400 if errors else 200
