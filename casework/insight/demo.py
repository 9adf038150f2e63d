"""The demo city's blueprint story: the process change on potholes, and the fortnightly pulse answered around it."""
from datetime import timedelta

from casework.demo_city import CHANGE, MEMBERS
from casework.insight.models import ProcessChange, PulseAnswer
from casework.insight.pulse import fortnight_of
from core.extensions import db
from core.timeutil import utcnow


def mark_the_change(service, at, by):
    title, note = CHANGE[1], CHANGE[2]
    db.session.add(ProcessChange(service_id=service.id, made_on=at.date(), title=title, note=note, marked_by_id=by.id))
    db.session.commit()


def answer_pulses(weeks, queues, staff, rng, changed_on):
    """Nearly every caseworker answers the fortnightly pulse, for their first team; the Road repairs crew breathes
    easier after the change."""
    today = utcnow().date()
    fortnight = fortnight_of(today)
    teams = {handle: next(queue for name, queue in queues.items() if handle in MEMBERS[name])
             for handle in staff if any(handle in members for members in MEMBERS.values())}
    for back in range(max(1, weeks // 2)):
        starts = fortnight - timedelta(weeks=2 * back)
        easier = starts >= changed_on
        for handle, queue in teams.items():
            if rng.random() < 0.95:
                mood = 3.8 if easier or queue.name != "Road repairs" else 2.4
                db.session.add(PulseAnswer(queue_id=queue.id, fortnight=starts,
                                           manageable=min(5, max(1, round(rng.gauss(mood, 0.8)))),
                                           tools_help=min(5, max(1, round(rng.gauss(3.3, 0.9)))),
                                           comment=rng.choice([None, None, None, "The address search is slow.",
                                                               "More photos from residents, please."])))
    db.session.commit()
