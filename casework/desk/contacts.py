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
from casework.desk.schemas import DESK_CHANNELS, MINUTES_MESSAGE, MOST_MINUTES
from intake.models import ServiceRequest


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
        raise refused("answered_minutes", MINUTES_MESSAGE)
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
    """The last ``days`` of the desk: contacts a day by channel (requests taken and contacts answered on the
    spot), topics asked about, staff minutes by channel for each kind, and the share answered on the spot
    (first-contact resolution)."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    zone = agency_zone()
    by_day, by_topic = defaultdict(Counter), Counter()
    minutes = {"answered": Counter(), "requests": Counter()}
    for at, channel, topic, spent in db.session.execute(
            db.select(Contact.at, Contact.channel, ContactTopic.name, Contact.minutes)
            .outerjoin(ContactTopic, Contact.topic_id == ContactTopic.id).where(Contact.at >= since)):
        if topic is not None:
            by_day[at.astimezone(zone).date()][channel] += 1
            by_day[at.astimezone(zone).date()]["answered"] += 1
            by_topic[topic] += 1
        minutes["answered" if topic is not None else "requests"][channel] += spent
    # every request taken at the desk is a contact, timed or not (a partner's script may send no minutes)
    for at, channel in db.session.execute(db.select(ServiceRequest.submitted_at, ServiceRequest.channel).where(
            ServiceRequest.submitted_at >= since, ServiceRequest.channel.in_([str(c) for c in DESK_CHANNELS]))):
        by_day[at.astimezone(zone).date()][str(channel)] += 1
        by_day[at.astimezone(zone).date()]["requests"] += 1
    answered = sum(by_topic.values())
    requests = sum(day["requests"] for day in by_day.values())
    return {"days": days, "until": today_in_agency(now), "by_day": dict(sorted(by_day.items(), reverse=True)),
            "by_topic": by_topic.most_common(), "minutes": minutes, "answered": answered,
            "requests": requests, "on_the_spot": round(answered / (answered + requests), 3)
            if answered + requests else None}
