"""Staff authentication and the one authorisation check every route uses."""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user, login_required

from core import audit
from core.extensions import db, login_manager
from core.accounts.models import Role, Staff


@login_manager.user_loader
def load_staff(session_id):
    """The staff member of a session id ``"<id>:<version>"``; None when inactive or signed out elsewhere."""
    staff_id, _, version = session_id.partition(":")
    if not staff_id.isdigit() or not version.isdigit():
        return None
    staff = db.session.get(Staff, int(staff_id))
    if staff is None or not staff.active or staff.session_version != int(version):
        return None
    return staff


def refuse(what, explanation=None, **details):
    """Refuse the signed-in staff member access to ``what``: audit it, log it, answer 403.

    ``what`` names a route or an object, never personal data; ``explanation``
    tells the person, in their words, what they may not do and whom to ask.
    """
    audit.record_now("access_refused", actor=current_user, what=what, **details)
    current_app.logger.warning("refused staff %s access to %s", current_user.id, what)
    abort(403, description=explanation)


def administrators():
    """The names of the active admins, whom staff ask for access."""
    return db.session.scalars(db.select(Staff.name).filter_by(role=Role.ADMIN, active=True).order_by(Staff.name)).all()


def role_explanation(needs):
    """Why a page is refused to the signed-in person: their role, the one needed, and whom to ask."""
    ask = ", ".join(administrators()) or "an administrator"
    return (f"This page is for {needs}s{'' if needs == Role.ADMIN else ' and those above'}, and your account is a "
            f"{current_user.role} account. If your work needs it, ask {ask} to change your role.")


def role_required(role):
    """Decorate a view so only logged-in staff of ``role`` or above reach it (else 403)."""
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                refuse(f"{request.method} {request.url_rule.rule}", role_explanation(role), needs=str(role))
            return view(*args, **kwargs)
        return wrapped
    return decorator


caseworker_required = role_required(Role.CASEWORKER)
supervisor_required = role_required(Role.SUPERVISOR)
admin_required = role_required(Role.ADMIN)


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = "strong"
