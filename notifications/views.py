"""The citizen's one-click stop link, confirmed by a button so mail scanners cannot press it."""
from flask import Blueprint, abort, render_template

from notifications import stops

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/messages/stop/<token>")
def stop_form(token):
    stops.subject_from_token(token) or abort(404)
    return render_template("notifications/stop.html", token=token, done=False)


@bp.post("/messages/stop/<token>")
def stop(token):
    subject_key = stops.subject_from_token(token) or abort(404)
    stops.stop_messages(subject_key)
    return render_template("notifications/stop.html", token=token, done=True)
