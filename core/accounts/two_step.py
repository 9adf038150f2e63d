"""The optional second factor for staff: time-based one-time codes (RFC 6238) from an authenticator app."""
import pyotp
import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from core.accounts.services import turn_off_two_step, turn_on_two_step
from core.extensions import db
from core.accounts.models import Staff

bp = Blueprint("totp", __name__, url_prefix="/staff")

ENROLLING = "totp_enrolling_secret"


def verify(staff, code):
    """True when ``code`` is the current code (or the one either side, for clock drift) of ``staff``."""
    code = "".join(ch for ch in code if ch.isdigit())
    return bool(staff.totp_secret) and len(code) == 6 and pyotp.TOTP(staff.totp_secret).verify(code, valid_window=1)


def qr_code(uri):
    """The enrolment link as an inline SVG QR code (no script, no external request)."""
    # segno draws the URI as modules (paths); no text of it reaches the markup, and the title is ours
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff", title="QR code")
    return Markup(svg)  # nosec B704


def required_for(staff):
    """True when the agency requires a second factor of ``staff``'s role (``TOTP_REQUIRED_ROLES``)."""
    roles = {role.strip() for role in current_app.config.get("TOTP_REQUIRED_ROLES", "").split(",") if role.strip()}
    return staff.role in roles


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def enrol():
    staff = db.session.get(Staff, current_user.id)
    secret = session.get(ENROLLING) or pyotp.random_base32()
    session[ENROLLING] = secret
    errors = {}
    if request.method == "POST":
        if request.form.get("action") == "remove" and staff.totp_secret and not required_for(staff):
            turn_off_two_step(staff)
            flash("Two-step sign-in is off.", "success")
            return redirect(url_for("totp.enrol"))
        code = "".join(ch for ch in request.form.get("code", "") if ch.isdigit())
        if len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1):
            turn_on_two_step(staff, secret)
            session.pop(ENROLLING, None)
            flash("Two-step sign-in is on. You will be asked for a code each time you sign in.", "success")
            return redirect(url_for("console.console_home"))
        errors["code"] = "Enter the 6-digit code your authenticator app shows for Tandem"
    uri = pyotp.TOTP(secret).provisioning_uri(name=staff.email, issuer_name=current_app.config["AGENCY_NAME"])
    return render_template("auth/two_factor.html", staff=staff, secret=secret, qr=qr_code(uri), errors=errors,
                           required=required_for(staff)), 400 if errors else 200


def insist_on_second_factor():
    """Before each request: staff whose role requires a second factor must set it up first."""
    if not current_user.is_authenticated or current_user.totp_secret or not required_for(current_user):
        return None
    if request.endpoint in ("totp.enrol", "auth.logout", "static"):
        return None
    flash("Your agency requires two-step sign-in for your role. Set it up to continue.", "info")
    return redirect(url_for("totp.enrol"))


def init_app(app):
    app.register_blueprint(bp)
    app.before_request(insist_on_second_factor)
