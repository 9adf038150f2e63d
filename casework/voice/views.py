"""The citizens' voice on staff desktops: a person's own page, their team's, and the choice of a digest."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casework.clock.agency_time import local_midnight
from casework.console.access import queue_for
from casework.insight.voice import ITEM_LABELS
from casework.models import Queue
from casework.voice import digest, figures, said
from casework.voice.models import FREQUENCIES
from core.auth import caseworker_required
from core.extensions import db
from core.security import keep_out_of_caches

bp = Blueprint("voice", __name__, url_prefix="/console/voice", template_folder="templates")
# a person's figures and what citizens said: never kept by a browser or a proxy
bp.after_request(keep_out_of_caches)
# the A-11 statements as the blueprint's voice names them
STATEMENTS = ITEM_LABELS


def chosen_period():
    """``(code, Period, errors)`` from the query: the last 90 days unless another is asked for."""
    code = request.args.get("period") or figures.DEFAULT_PERIOD
    if code not in figures.PERIODS:
        return figures.DEFAULT_PERIOD, figures.period_of(figures.DEFAULT_PERIOD), {
            "period": "Choose the last 30 days, 90 days or 12 months"}
    return code, figures.period_of(code), {}


def my_teams():
    return db.session.scalars(db.select(Queue).where(Queue.members.any(id=current_user.id))
                              .order_by(Queue.name)).all()


@bp.get("/")
@caseworker_required
def mine():
    code, period, errors = chosen_period()
    return render_template(
        "voice/mine.html", figures=figures.person_figures(current_user.id, period),
        said=said.about_person(current_user.id), code=code, periods=figures.PERIODS, errors=errors,
        statements=STATEMENTS, teams=my_teams(), frequency=digest.frequency_of(current_user),
        frequencies=FREQUENCIES, minimum=figures.MIN_ANSWERS), 400 if errors else 200


@bp.post("/digest")
@caseworker_required
def choose_digest():
    frequency = request.form.get("frequency", "")
    if frequency not in FREQUENCIES:
        flash("Choose how often to hear: never, once a day or once a week.", "error")
        return redirect(url_for("voice.mine"), 303)
    digest.set_frequency(current_user, frequency)
    flash({"off": "No more emails of citizens' comments.", "daily": "You will get new comments once a day.",
           "weekly": "You will get new comments once a week."}[frequency], "success")
    return redirect(url_for("voice.mine"), 303)


@bp.get("/teams/<int:queue_id>")
@caseworker_required
def team(queue_id):
    queue = queue_for(current_user, queue_id)
    code, period, errors = chosen_period()
    return render_template(
        "voice/team.html", queue=queue, figures=figures.team_figures(queue.id, period), code=code,
        periods=figures.PERIODS, errors=errors, statements=STATEMENTS, minimum=figures.MIN_ANSWERS,
        said=said.about_team(queue.id, with_comment=True, since=local_midnight(period.start))), 400 if errors else 200
