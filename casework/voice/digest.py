"""The digest of new comments about a person's work, for those who turned it on: daily or weekly, by email.

Runs often (periodic); sends once the agency's local time has reached
``DIGEST_HOUR``, to each person whose digest is due (a day, or a week, since
the last), with the comments citizens left since then about the cases they
worked, and says nothing when there is nothing new. Each digest is queued
once (its day is in the dedupe key) and moves the person's ``told_up_to``
in the same transaction.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from casework import messages
from casework.voice.models import VoiceDigest
from casework.voice.said import about_person
from core.accounts.models import Staff
from core.extensions import db
from core.timeutil import agency_zone, utcnow
from notifications import services as outbox

EVERY = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
MOST_COMMENTS = 30


def set_frequency(person, frequency):
    """Turn the person's digest to ``frequency`` ("off", "daily", "weekly"). Commits. From now on: a digest tells
    only what citizens say after it was turned on."""
    choice = db.session.get(VoiceDigest, person.id)
    if choice is None:
        choice = VoiceDigest(staff_id=person.id)
        db.session.add(choice)
    if choice.frequency == "off" and frequency != "off":
        choice.told_up_to = utcnow()
    choice.frequency = frequency
    db.session.commit()


def frequency_of(person):
    choice = db.session.get(VoiceDigest, person.id)
    return choice.frequency if choice else "off"


def send_due(now=None):
    """Queue each due digest; return how many were queued. Commits; then dispatches."""
    now = now or utcnow()
    local = now.astimezone(agency_zone())
    if local.hour < current_app.config.get("DIGEST_HOUR", 7):
        return 0
    queued = []
    for choice, person in db.session.execute(
            select(VoiceDigest, Staff).join(Staff, Staff.id == VoiceDigest.staff_id)
            .where(VoiceDigest.frequency.in_(EVERY), Staff.active.is_(True))):
        since = choice.told_up_to or now - EVERY[choice.frequency]
        if now - since < EVERY[choice.frequency] - timedelta(hours=1):
            continue
        said = about_person(person.id, since=since, until=now, limit=MOST_COMMENTS, with_comment=True)
        choice.told_up_to = now
        if not said:
            continue
        lines = [f"- {item.service}, {item.submitted_at.astimezone(agency_zone()):%-d %B}: "
                 f"“{item.comment.strip()}” ({'fixed' if item.fixed else 'not fixed'}; "
                 f"{messages.case_url_of(item.case_id)})" for item in reversed(said)]
        queued.append(outbox.queue_message(
            dedupe_key=f"voice_digest:{person.id}:{local.date().isoformat()}", recipient=person.email,
            template="voice_digest", language="en",
            payload={"count": len(said), "comments": "\n".join(lines),
                     "page_url": f"{current_app.config['PUBLIC_URL']}/console/voice"}))
    db.session.commit()
    messages.dispatch(*queued)
    return sum(1 for message in queued if message is not None)
