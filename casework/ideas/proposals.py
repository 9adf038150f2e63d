"""What happens to ideas: proposed, supported, discussed and answered. Each commits with its audit row.

An anonymous idea's audit row names no actor and no author: nothing in the
database says whose it is. A supervisor's answer is seen by the team; a
named author is also told by email; "done" becomes a process change on the
service, which the blueprint measures before and after.
"""
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from casework.clock.agency_time import today_in_agency
from casework.ideas.models import Idea, IdeaComment, IdeaSupport, support_key
from casework.insight.models import ProcessChange
from casework.models import Queue, StepType
from core import audit
from core.accounts.models import Staff
from core.extensions import db
from core.timeutil import utcnow
from intake.models import Service
from notifications import services as outbox


class IdeaRefused(ValueError):
    """The idea (or answer) cannot be kept; ``field`` names what to correct."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def teams_of(person):
    """The queues whose ideas ``person`` sees and proposes to: their own, or every one for a supervisor."""
    query = select(Queue).order_by(Queue.name)
    if not person.has_role("supervisor"):
        query = query.where(Queue.members.any(id=person.id))
    return db.session.scalars(query).all()


def may_see(person, idea):
    return person.has_role("supervisor") or any(member.id == person.id for member in idea_queue(idea).members)


def idea_queue(idea):
    return db.session.get(Queue, idea.queue_id)


def propose(person, fields):
    """Keep a new idea from ``fields`` (``IdeaForm``). Commits; audited. Raises ``IdeaRefused``."""
    queue = db.session.get(Queue, fields["queue_id"])
    if queue is None or queue not in teams_of(person):
        raise IdeaRefused("queue_id", "Choose one of your teams")
    service = None
    if fields.get("service"):
        service = db.session.scalar(select(Service).filter_by(code=fields["service"]))
        if service is None:
            raise IdeaRefused("service", "Choose a service from the list")
    step_type = None
    if fields.get("step_type_id") is not None:
        step_type = db.session.get(StepType, fields["step_type_id"])
        if step_type is None or (service is not None and step_type.service_id != service.id):
            raise IdeaRefused("step_type_id", "Choose a step of the service from the list")
        service = service or db.session.get(Service, step_type.service_id)
    idea = Idea(queue_id=queue.id, service_id=service.id if service else None,
                step_type_id=step_type.id if step_type else None, hurts=fields["hurts"].strip(),
                change=fields["change"].strip(), helps=fields["helps"], proposed_on=today_in_agency(),
                author_id=None if fields["anonymous"] else person.id)
    db.session.add(idea)
    db.session.flush()
    # (an anonymous idea's row names nobody: the actor is left out as the author is)
    audit.record("idea_proposed", actor=None if idea.anonymous else person, target=idea, queue_id=queue.id,
                 anonymous=idea.anonymous)
    db.session.commit()
    return idea


def from_pulse(queue_id, change, comment):
    """The pulse's "one change" as an anonymous idea of the team, in the pulse's transaction (not committed).

    Its audit row names nobody and the pulse keeps only that its author had a turn, so neither says whose.
    """
    idea = Idea(queue_id=queue_id, hurts=(comment or "").strip() or "Raised in the staff pulse",
                change=change.strip(), helps="staff", proposed_on=today_in_agency(), author_id=None)
    db.session.add(idea)
    db.session.flush()
    audit.record("idea_proposed", actor=None, target=idea, queue_id=queue_id, anonymous=True, source="pulse")
    return idea


def support(person, idea):
    """Add the person's "me too" (once each; not to their own named idea). Commits. Returns whether it counted."""
    if idea.author_id == person.id:
        return False
    db.session.add(IdeaSupport(idea_id=idea.id, key=support_key(idea.id, person.id)))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    db.session.execute(db.update(Idea).where(Idea.id == idea.id).values(supporters=Idea.supporters + 1))
    db.session.commit()
    return True


def comment(person, idea, text):
    """Add the person's comment to ``idea``. Commits."""
    db.session.add(IdeaComment(idea_id=idea.id, author_id=person.id, text=text.strip()))
    db.session.commit()


def answer(supervisor, idea, status, reason):
    """The supervisor's answer: "planned", "not_now" (``reason`` required) or "done" (a process change on the
    idea's service from today). Commits; audited; then tells a named author. Raises ``IdeaRefused``."""
    if status == "not_now" and not reason.strip():
        raise IdeaRefused("answer", "Say why not now: the team reads your reason")
    change = None
    if status == "done":
        if idea.service_id is None:
            raise IdeaRefused("status", "An idea is marked done on a service, so its effect can be measured: this "
                                        "one names none. Mark it planned, or ask for a new idea that names one")
        if idea.process_change_id is None:
            change = ProcessChange(service_id=idea.service_id, made_on=today_in_agency(), title=idea.change[:120],
                                   note=f"From a staff idea: {idea.hurts[:900]}", marked_by_id=supervisor.id)
            db.session.add(change)
            db.session.flush()
            idea.process_change_id = change.id
    idea.status, idea.answer = status, reason.strip() or None
    idea.answered_at, idea.answered_by_id = utcnow(), supervisor.id
    audit.record("idea_answered", actor=supervisor, target=idea, status=status)
    told = None
    if idea.author_id is not None:
        author = db.session.get(Staff, idea.author_id)
        told = outbox.queue_message(
            dedupe_key=f"idea_answered:{idea.id}:{status}:{idea.answered_at:%Y%m%d%H%M%S}", recipient=author.email,
            template="idea_answered", language="en",
            payload={"idea": idea.change[:200], "status": status.replace("_", " "), "answer": idea.answer or "",
                     "by": supervisor.name, "idea_url": f"{current_app.config['PUBLIC_URL']}/console/ideas/{idea.id}"})
    db.session.commit()
    if told is not None:
        outbox.dispatch(told)
    return change
