"""Contacts answered on the spot, and what they add up to: contacts a day by channel and topic, the share of
contacts answered without a request (first-contact resolution), minutes by channel."""
from collections import Counter, defaultdict
from datetime import timedelta

from casework.clock.agency_time import agency_zone, today_in_agency
from casework.agency_setup import ContactTopic
from casework.desk.models import Contact
from casework.errors import ActionRefused
from casework.models import Case
from core import audit
from core.extensions import db
from core.timeutil import utcnow
from casework.desk.schemas import DESK_CHANNELS
from intake.models import ServiceRequest

MOST_MINUTES = 480


def active_topics():
    """The topics agents choose from: general ones first, then by service, by name."""
    return db.session.scalars(db.select(ContactTopic).where(ContactTopic.active)
                              .order_by(ContactTopic.service_id.is_not(None), ContactTopic.name)).all()


def record_contact(topic_id, channel, minutes, case_reference, by):
    """Record a contact answered without a request. Commits; audited. Returns it.

    Raises ``ActionRefused`` (with ``field``) for a topic not on the list, a channel that is not the desk's,
    minutes outside 0-480 or a case reference nobody has.
    """
    topic = db.session.get(ContactTopic, topic_id) if topic_id else None
    if topic is None or not topic.active:
        raise refused("topic_id", "Choose what they asked about from the list")
    if channel not in DESK_CHANNELS:
        raise refused("contact_channel", "Choose how the contact came in")
    if minutes is None or not 0 <= minutes <= MOST_MINUTES:
        raise refused("contact_minutes", f"Enter the minutes it took, a whole number from 0 to {MOST_MINUTES}")
    case = None
    if case_reference:
        case = db.session.scalar(db.select(Case).join(ServiceRequest, Case.request_id == ServiceRequest.id)
                                 .where(ServiceRequest.reference == case_reference.strip().upper()))
        if case is None:
            raise refused("contact_case", "No case has that reference: check it, or leave it empty")
    contact = Contact(staff=by, channel=channel, topic=topic, minutes=minutes, case=case)
    db.session.add(contact)
    db.session.flush()
    audit.record("contact_answered", actor=by, target=contact, channel=channel, topic_id=topic.id)
    db.session.commit()
    return contact


def refused(field, message):
    problem = ActionRefused(message)
    problem.field = field
    return problem


def summary(days=30, now=None):
    """The last ``days`` of the desk: contacts a day by channel, by topic, minutes by channel, and how many
    contacts were answered on the spot against requests taken at the desk."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    zone = agency_zone()
    by_day = defaultdict(Counter)
    by_topic, minutes = Counter(), Counter()
    for at, channel, topic, spent in db.session.execute(
            db.select(Contact.at, Contact.channel, ContactTopic.name, Contact.minutes)
            .join(ContactTopic, Contact.topic_id == ContactTopic.id).where(Contact.at >= since)):
        by_day[at.astimezone(zone).date()][channel] += 1
        by_topic[topic] += 1
        minutes[channel] += spent
    answered = sum(by_topic.values())
    requests = db.session.scalar(db.select(db.func.count(ServiceRequest.id)).where(
        ServiceRequest.submitted_at >= since, ServiceRequest.channel.in_([str(c) for c in DESK_CHANNELS])))
    return {"days": days, "until": today_in_agency(now), "by_day": dict(sorted(by_day.items(), reverse=True)),
            "by_topic": by_topic.most_common(), "minutes": dict(minutes), "answered": answered,
            "requests": requests, "on_the_spot": round(answered / (answered + requests), 3)
            if answered + requests else None}
