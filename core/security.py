"""Security headers on every response: what the browser may load, frame, send and keep."""
from flask import current_app, g

# The templates use no inline script or style and load only their own stylesheet,
# so everything comes from this origin; forms post only here; no page is framed.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])

# no page needs these devices or APIs, except the request form's "use my current location"
# button: geolocation for this origin only, never for anything framed or loaded from elsewhere
PERMISSIONS_POLICY = ", ".join([f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "gyroscope", "magnetometer", "microphone", "payment", "usb",
)] + ["geolocation=(self)"])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # tracking links carry the citizen's secret token in the path: never send it on
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}

# two years, the preload list's minimum; only sent once the site is HTTPS-only
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


def staff_signed_in():
    """True when this request loaded a signed-in staff member.

    Asks flask-login only if the request already loaded the user: a response
    that never looked at the user cannot show staff-only content, and loading
    the user here would query the database on every response, including the
    health probes that must answer while the database is down.
    """
    # flask-login keeps the loaded user here (an internal name, as of 0.6.3);
    # a flask-login upgrade that renames it makes the no-store test fail
    user = g.get("_login_user")
    return user is not None and user.is_authenticated


def add_security_headers(response):
    """Set the security headers on ``response``; a view's own values win."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("HSTS_ENABLED"):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if staff_signed_in() and "Cache-Control" not in response.headers:
        # staff pages show citizens' details: no browser or proxy may keep a copy
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    # app-wide after_request handlers run after the blueprints' ones and also on
    # error pages, so every response passes through here last
    app.after_request(add_security_headers)


def keep_out_of_caches(response):
    """``after_request`` of blueprints whose answers must never be kept by browsers or proxies
    (staff data, a secret shown once, health probes)."""
    response.headers["Cache-Control"] = "no-store"
    return response
