"""The staff pulse: two questions and a comment, offered once a fortnight, kept without the person.

An answer is stored with its team (a queue the person works) and fortnight
only (``PulseAnswer``); that the person has had their turn is stored apart
(``PulseTurn``), so the pulse is not offered again. Results are shown per
team and fortnight only where at least ``MIN_ANSWERS`` answered, never per
person.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.insight.models import PulseAnswer, PulseTurn
from casework.models import Queue, queue_member
from core.extensions import db

MIN_ANSWERS = 5
# fortnights start on the Mondays an even number of weeks after this one
EPOCH = date(2024, 1, 1)
AGREE = 4
SHOWN_FORTNIGHTS = 6
QUESTIONS = {"manageable": "How manageable was your workload this fortnight?",
             "tools_help": "How much did the tools help you do your work?"}
SCALE = [(5, "Completely"), (4, "Mostly"), (3, "Somewhat"), (2, "A little"), (1, "Not at all")]


class PulseRefused(ValueError):
    """The answer cannot be kept; ``field`` names what to correct."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def fortnight_of(day):
    """The Monday starting ``day``'s fortnight."""
    monday = day - timedelta(days=day.weekday())
    return monday - timedelta(weeks=((monday - EPOCH).days // 7) % 2)


def teams_of(staff):
    """The queues ``staff`` works, by name: the teams they may answer for."""
    return db.session.scalars(select(Queue).join(queue_member, queue_member.c.queue_id == Queue.id)
                              .where(queue_member.c.staff_id == staff.id).order_by(Queue.name)).all()


def due(staff, today):
    """True when ``staff`` works a queue and has not had this fortnight's turn."""
    if not db.session.scalar(select(func.count()).select_from(queue_member)
                             .where(queue_member.c.staff_id == staff.id)):
        return False
    return db.session.get(PulseTurn, (staff.id, fortnight_of(today))) is None


def take_turn(staff, today, fields=None):
    """Keep ``staff``'s answer (``PulseSchema`` fields), or with None their "not this time". Commits.

    Raises ``PulseRefused`` for a team they do not work; returns False when
    they already had this fortnight's turn (a second tab), True otherwise.
    """
    fortnight = fortnight_of(today)
    if fields is not None:
        if fields["queue_id"] not in {queue.id for queue in teams_of(staff)}:
            raise PulseRefused("queue_id", "Choose one of your teams")
        db.session.add(PulseAnswer(queue_id=fields["queue_id"], fortnight=fortnight, manageable=fields["manageable"],
                                   tools_help=fields["tools_help"], comment=fields.get("comment") or None))
        if fields.get("change"):
            # the one change that would make the work easier: an anonymous idea for the team, in this transaction
            current_app.extensions["tandem.pulse_idea"](fields["queue_id"], fields["change"], fields.get("comment"))
    db.session.add(PulseTurn(staff_id=staff.id, fortnight=fortnight))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the turn was had already: the answer goes with the rollback
        return False
    return True


@dataclass
class PulseRow:
    queue_id: int
    team: str
    fortnight: date
    answers: int
    shown: bool
    manageable_mean: float | None = None
    manageable_agree: float | None = None
    tools_mean: float | None = None
    tools_agree: float | None = None
    comments: tuple = ()


ALL_TEAMS = "All teams"


def summary(today, queue_ids=None):
    """``{team name: [PulseRow]}`` for the last ``SHOWN_FORTNIGHTS`` fortnights, oldest first.

    ``ALL_TEAMS`` comes first: every answer of a fortnight together, so small
    teams count too. It is shown only when the answers of teams not shown are
    none or at least ``MIN_ANSWERS`` as well, so no hidden team's figures can
    be worked out by subtracting a shown one from it.
    """
    since = fortnight_of(today) - timedelta(weeks=2 * (SHOWN_FORTNIGHTS - 1))
    agree = {name: func.sum(db.case((getattr(PulseAnswer, name) >= AGREE, 1), else_=0)) for name in QUESTIONS}
    query = (select(PulseAnswer.queue_id, Queue.name, PulseAnswer.fortnight, func.count(),
                    func.avg(PulseAnswer.manageable), agree["manageable"], func.avg(PulseAnswer.tools_help),
                    agree["tools_help"])
             .join(Queue, Queue.id == PulseAnswer.queue_id).where(PulseAnswer.fortnight >= since)
             .group_by(PulseAnswer.queue_id, Queue.name, PulseAnswer.fortnight)
             .order_by(Queue.name, PulseAnswer.fortnight))
    if queue_ids:
        query = query.where(PulseAnswer.queue_id.in_(queue_ids))
    teams = {ALL_TEAMS: all_teams(since)}
    for queue_id, name, fortnight, n, manageable, manageable_agree, tools, tools_agree in db.session.execute(query):
        row = counted(PulseRow(queue_id, name, fortnight, n, n >= MIN_ANSWERS), manageable, manageable_agree,
                      tools, tools_agree)
        if row.shown:
            # in a fixed order that says nothing of who wrote which
            row.comments = tuple(sorted(db.session.scalars(select(PulseAnswer.comment).where(
                PulseAnswer.queue_id == queue_id, PulseAnswer.fortnight == fortnight,
                PulseAnswer.comment.is_not(None)))))
        teams.setdefault(name, []).append(row)
    hidden = {}
    for name, rows in teams.items():
        for row in rows:
            if name != ALL_TEAMS and not row.shown:
                hidden[row.fortnight] = hidden.get(row.fortnight, 0) + row.answers
    for row in teams[ALL_TEAMS]:
        if 0 < hidden.get(row.fortnight, 0) < MIN_ANSWERS:
            row.shown = False
            row.manageable_mean = row.manageable_agree = row.tools_mean = row.tools_agree = None
    if not teams[ALL_TEAMS]:
        del teams[ALL_TEAMS]
    return teams


def counted(row, manageable, manageable_agree, tools, tools_agree):
    """``row`` with its means and shares filled in, where it may be shown."""
    if row.shown:
        row.manageable_mean, row.tools_mean = round(float(manageable), 2), round(float(tools), 2)
        row.manageable_agree, row.tools_agree = round(manageable_agree / row.answers, 3), round(tools_agree / row.answers, 3)
    return row


def all_teams(since):
    """Every team's answers together, per fortnight (comments stay with their team)."""
    agree = {name: func.sum(db.case((getattr(PulseAnswer, name) >= AGREE, 1), else_=0)) for name in QUESTIONS}
    rows = []
    for fortnight, n, manageable, manageable_agree, tools, tools_agree in db.session.execute(
            select(PulseAnswer.fortnight, func.count(), func.avg(PulseAnswer.manageable), agree["manageable"],
                   func.avg(PulseAnswer.tools_help), agree["tools_help"])
            .where(PulseAnswer.fortnight >= since).group_by(PulseAnswer.fortnight).order_by(PulseAnswer.fortnight)):
        rows.append(counted(PulseRow(0, ALL_TEAMS, fortnight, n, n >= MIN_ANSWERS), manageable, manageable_agree,
                            tools, tools_agree))
    return rows


def trend(rows):
    """One sentence on the team's manageability across the fortnights shown, or None with too few."""
    shown = [row for row in rows if row.shown]
    if len(shown) < 2:
        return None
    first, last = shown[0], shown[-1]
    change = last.manageable_agree - first.manageable_agree
    direction = "up" if change > 0.05 else "down" if change < -0.05 else "about the same"
    return (f"Finding the workload manageable: {first.manageable_agree:.0%} in the fortnight of "
            f"{first.fortnight:%-d %b}, {last.manageable_agree:.0%} in that of {last.fortnight:%-d %b} ({direction}).")
