"""The demo city's contact desk: calls answered on the spot under the topics agents keep, and the agents'
minutes on the calls and counter visits that became requests (the blueprint's contact stage)."""
from datetime import timedelta

from casework.agency_setup import ContactTopic
from casework.demo_city import CONTACT_TOPICS
from casework.desk.models import Contact
from core.accounts.models import Role
from core.extensions import db
from core.timeutil import utcnow
from intake.models import Channel

# minutes an agent spends taking a request by phone or at the counter, and answering a question
TAKING_MINUTES, ANSWERING_MINUTES = (8, 3), (5, 2)


def weekday_biased(rng):
    """A day offset 0-6 where Monday and Tuesday are busiest, as in most 311 centres."""
    return rng.choices(range(7), weights=[22, 19, 16, 15, 14, 7, 7])[0]


def minutes(rng, spread):
    mean, deviation = spread
    return max(1, round(rng.gauss(mean, deviation)))


def history_call(request, agents, rng):
    """The agent's contact for a past request that came by phone or to the counter (added to the session)."""
    if request.channel in (Channel.PHONE, Channel.COUNTER):
        db.session.add(Contact(at=request.submitted_at, staff=rng.choice(agents), channel=request.channel,
                               request=request, minutes=minutes(rng, TAKING_MINUTES)))


def seed_contacts(weeks, services, staff, rng):
    """The desk's topics, and ``weeks`` of calls answered on the spot under them by the caseworkers. Commits."""
    now = utcnow()
    agents = [person for person in staff.values() if person.role == Role.CASEWORKER]
    for name, code, weekly in CONTACT_TOPICS:
        topic = db.session.scalar(db.select(ContactTopic).filter_by(name=name))
        if topic is None:
            topic = ContactTopic(name=name, service=services[code] if code else None, active=True)
            db.session.add(topic)
        for week in range(weeks):
            for _ in range(max(0, round(rng.gauss(weekly, weekly / 4)))):
                at = now - timedelta(weeks=week, days=weekday_biased(rng), hours=rng.uniform(0, 9))
                db.session.add(Contact(at=at, staff=rng.choice(agents), topic=topic,
                                       minutes=minutes(rng, ANSWERING_MINUTES),
                                       channel=rng.choices(["phone", "counter", "email"], weights=[75, 15, 10])[0]))
    db.session.commit()
