"""Staff session lifetime: a fresh session at sign-in, idle and absolute timeouts.

Timestamps live in the signed session cookie; ``Staff.session_version`` in
the session id lets logout and password changes end every other session.
"""
import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def start_session(staff):
    """Sign ``staff`` in on a brand-new session (a planted session id is worthless)."""
    session.clear()
    login_user(staff)
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def expired(now):
    """Which limit the current session has passed: "idle", "absolute", or None."""
    config = current_app.config
    if now - session.get(SIGNED_IN_AT, 0) > config["STAFF_SESSION_HOURS"] * 3600:
        return "absolute"
    if now - session.get(SEEN_AT, 0) > config["STAFF_IDLE_MINUTES"] * 60:
        return "idle"
    return None


def enforce_timeouts():
    """Before each request: sign out a session that sat idle or lived too long."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    reason = expired(now)
    if reason is None:
        session[SEEN_AT] = now
        return None
    logout_user()
    session.clear()
    flash("You were signed out after a period without activity. Sign in again." if reason == "idle"
          else "Your session has ended. Sign in again.", "info")
    return redirect(url_for("auth.login", next=request.path if request.method == "GET" else None))


def init_app(app):
    if app.config.get("SESSION_COOKIE_SECURE"):
        # __Host-: the browser only accepts it over HTTPS, for this exact host, on path /
        app.config["SESSION_COOKIE_NAME"] = "__Host-tandem"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
    app.before_request(enforce_timeouts)
