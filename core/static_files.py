"""Static files that browsers keep: addresses carrying a digest of the content, a year's cache, and the icon.

``url_for('static', filename=...)`` adds ``v=<digest>`` of the file as it is
on disk; an answer to an address with the current digest may be kept for a
year (a changed file has a new address). Text answers are compressed by
Flask-Compress (``core.extensions.compress``).
"""
import hashlib
import os

from flask import current_app, request, send_from_directory

YEAR_SECONDS = 365 * 24 * 3600
_digests = {}


def digest_of(filename):
    """A short digest of static file ``filename``'s bytes; recomputed when the file changes, None when missing."""
    path = os.path.join(current_app.static_folder, filename)
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    known = _digests.get(path)
    if known is None or known[0] != stamp:
        with open(path, "rb") as handle:
            known = (stamp, hashlib.sha256(handle.read()).hexdigest()[:12])
        _digests[path] = known
    return known[1]


def add_digest(endpoint, values):
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = digest_of(values["filename"])
        if digest:
            values["v"] = digest


def keep_for_a_year(response):
    """A static file asked for at its current digest is immutable; any other static answer is revalidated."""
    if request.endpoint == "static" and response.status_code == 200:
        # send_file streams the file, which Flask-Compress passes by: our files are small, so read them
        response.direct_passthrough = False
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args.get("v") == digest_of(filename):
            response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
    return response


def favicon():
    """The icon browsers ask for at the root, whatever the page links."""
    response = send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def init_app(app):
    app.url_defaults(add_digest)
    app.after_request(keep_for_a_year)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
