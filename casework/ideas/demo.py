"""The demo city's ideas: one of each answer, from the road crew, so every state can be seen and tried."""
from datetime import timedelta

from sqlalchemy import select

from casework.ideas import proposals
from casework.ideas.models import Idea
from casework.models import Queue, StepType
from core.extensions import db

# (proposer's handle or None for anonymous, step name, what hurts, what to change, helps, answer, reason, me too)
IDEAS = [
    ("jordan", "Inspect the site", "Half the visits start with a phone call to find the hole: addresses are vague",
     "Ask for a photo and a landmark on the form", "both", None, "", ("casey", "taylor")),
    (None, "Schedule the repair", "Booking the crew means three systems and a spreadsheet",
     "Let us book the crew from the case page", "staff", "planned", "On the list for the next release.", ("noah",)),
    ("taylor", None, "Citizens phone to ask if we got their email", "Send a reply to every email within the hour",
     "citizens", "not_now", "The mail team is being set up; we will look again in March.", ()),
    ("casey", "Inspect the site", "We drive out to holes that were already fixed by the utility company",
     "Check the utility's work list before an inspection", "both", "done", "Checked every morning from now.",
     ("jordan", "amara")),
]


def seed_ideas(staff, service, days_ago=20):
    """The demo ideas, proposed ``days_ago`` days back and answered since (safe to run again). Commits."""
    if db.session.scalar(select(Idea.id).limit(1)) is not None:
        return 0
    queue = db.session.scalar(select(Queue).filter_by(name="Road repairs"))
    steps = {step.name: step.id for step in db.session.scalars(select(StepType).filter_by(service_id=service.id))}
    for number, (who, step, hurts, change, helps, status, reason, supporters) in enumerate(IDEAS):
        proposer = staff[who or "casey"]
        idea = proposals.propose(proposer, {"queue_id": queue.id, "service": service.code,
                                            "step_type_id": steps.get(step), "hurts": hurts, "change": change,
                                            "helps": helps, "anonymous": who is None})
        idea.proposed_on -= timedelta(days=days_ago - number)
        db.session.commit()
        for handle in supporters:
            proposals.support(staff[handle], idea)
        if status:
            proposals.answer(staff["sam"], idea, status, reason)
    return len(IDEAS)
