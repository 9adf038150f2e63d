"""Closing the loop: what each done idea did, told to its team and author once it can be said, and the loop's own
health for supervisors (a practice that asks and never answers does more harm than not asking).

A done idea's process change is compared as the blueprint compares it
(``casework.insight.compare``: equal periods either side, at most 90 days);
once both sides of the time to resolution have enough cases, the team and a
named author get one message with the differences in citizen wait, staff
minutes and steps rated hard, each "more than noise" or not.
"""
import statistics
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from casework.clock.agency_time import today_in_agency
from casework.ideas.models import Idea
from casework.insight import compare
from casework.insight.models import ProcessChange
from casework.models import Queue
from core.accounts.models import Staff
from core.extensions import db
from core.timeutil import agency_zone, utcnow
from notifications import services as outbox

ANSWER_WITHIN_DAYS = 14
HEALTH_DAYS = 90
MOST_DONE_SHOWN = 20
SAID = {"Time to resolution": "citizen wait to resolution", "Staff minutes a case": "staff minutes a case"}


@dataclass
class Health:
    days: int
    proposed: int
    answered_in_time: int
    open_past_due: int
    median_days_to_answer: float | None
    done: list  # (idea, [sentences])

    @property
    def answered_in_time_share(self):
        return self.answered_in_time / self.proposed if self.proposed else None


def effects(idea, today=None):
    """The sentences of what a done idea's change did so far (empty before it is done)."""
    change = db.session.get(ProcessChange, idea.process_change_id) if idea.process_change_id else None
    if change is None:
        return [], False
    found = compare.compare(change, today or today_in_agency())
    said, enough = [], False
    for difference in found.differences:
        if difference.measure in SAID:
            enough = enough or difference.enough
            said.append(sentence(SAID[difference.measure], difference))
    for stage, differences in found.stages:
        for difference in differences:
            if difference.measure == "Steps rated hard" and difference.enough:
                said.append(sentence(f"steps rated hard at {stage}", difference))
    return said, enough


def sentence(what, difference):
    if not difference.enough:
        return f"{what.capitalize()}: not enough cases yet to tell."
    unit = {"days": " days", "minutes": " minutes"}.get(difference.unit, "")
    before, after = (f"{difference.before:.0%}", f"{difference.after:.0%}") if difference.unit == "share" else \
        (f"{difference.before:.1f}{unit}", f"{difference.after:.1f}{unit}")
    noise = "more than noise" if difference.beyond_noise else "within noise"
    return f"{what.capitalize()}: {after}, against {before} before ({difference.verdict}; {noise})."


def health(queue_ids, today=None):
    """The loop's ``Health`` over the last ``HEALTH_DAYS`` days, for ideas of ``queue_ids`` (read as plain rows:
    thousands of ideas are counted, not loaded)."""
    today = today or today_in_agency()
    zone = agency_zone()
    rows = db.session.execute(
        select(Idea.id, Idea.change, Idea.proposed_on, Idea.answered_at, Idea.status, Idea.effect_summary)
        .where(Idea.queue_id.in_(queue_ids), Idea.proposed_on >= today - timedelta(days=HEALTH_DAYS - 1))
        .order_by(Idea.id.desc())).all()
    waits = [(row.answered_at.astimezone(zone).date() - row.proposed_on).days for row in rows if row.answered_at]
    in_time = sum(1 for wait in waits if wait <= ANSWER_WITHIN_DAYS)
    past_due = sum(1 for row in rows if row.answered_at is None and (today - row.proposed_on).days > ANSWER_WITHIN_DAYS)
    # what each done idea did, as its team was told (measuring each again here would cost a blueprint apiece)
    done = [(row, row.effect_summary.splitlines() if row.effect_summary else []) for row in rows
            if row.status == "done"][:MOST_DONE_SHOWN]
    return Health(HEALTH_DAYS, len(rows), in_time, past_due, statistics.median(waits) if waits else None, done)


def tell_effects(now=None):
    """Tell each done idea's team and named author what its change did, once both sides have enough cases
    (periodic). Commits; then dispatches. Returns how many ideas were told about."""
    now = now or utcnow()
    told, queued = 0, []
    for idea in db.session.scalars(select(Idea).where(Idea.status == "done", Idea.effect_told_at.is_(None),
                                                      Idea.process_change_id.is_not(None))):
        said, enough = effects(idea)
        if not enough:
            continue
        queue = db.session.get(Queue, idea.queue_id)
        people = {member.id: member for member in queue.members if member.active}
        if idea.author_id and idea.author_id not in people:
            author = db.session.get(Staff, idea.author_id)
            if author is not None and author.active:
                people[author.id] = author
        for person in people.values():
            queued.append(outbox.queue_message(
                dedupe_key=f"idea_effect:{idea.id}:{person.id}", recipient=person.email, template="idea_effect",
                language="en", payload={"idea": idea.change[:200], "team": queue.name, "effects": "\n".join(
                    f"- {line}" for line in said),
                    "idea_url": f"{current_app.config['PUBLIC_URL']}/console/ideas/{idea.id}"}))
        idea.effect_told_at, idea.effect_summary = now, "\n".join(said)
        told += 1
    db.session.commit()
    for message in queued:
        if message is not None:
            outbox.dispatch(message)
    return told
