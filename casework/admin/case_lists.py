"""What admins keep for casework: the outcomes a case can end with, reply templates per language, and the topics
callers ask about that the contact desk records contacts under."""
from casework import reply_templates
from casework.errors import ActionRefused
from casework.agency_setup import ContactTopic, Outcome, ReplyTemplate
from core import audit
from core.extensions import db
from intake.models import Service


def outcomes():
    """Every outcome, active ones first, in order."""
    return db.session.scalars(db.select(Outcome).order_by(Outcome.active.desc(), Outcome.position, Outcome.id)).all()


def code_for(label):
    return "_".join("".join(ch if ch.isalnum() else " " for ch in label.lower()).split())[:40] or "outcome"


def save_outcome(outcome_id, label, active, by):
    """Add (``outcome_id`` None) or rename/retire an outcome. Commits; audited.

    An outcome is retired rather than removed, so resolved cases keep theirs.
    """
    if outcome_id is None:
        code = code_for(label)
        if db.session.scalar(db.select(Outcome).filter_by(code=code)) is not None:
            raise ActionRefused(f"There is already an outcome like “{label}”.")
        position = (db.session.scalar(db.select(db.func.max(Outcome.position))) or 0) + 1
        outcome = Outcome(code=code, label=label, position=position, active=True)
        db.session.add(outcome)
    else:
        outcome = db.session.get(Outcome, outcome_id)
        if outcome is None:
            raise ActionRefused("That outcome does not exist.")
        outcome.label, outcome.active = label, active
    db.session.flush()
    audit.record("outcome_saved", actor=by, target=outcome, label=label, active=outcome.active)
    db.session.commit()
    return outcome


def topics():
    """Every contact topic, offered first, then by name."""
    return db.session.scalars(db.select(ContactTopic).order_by(ContactTopic.active.desc(), ContactTopic.name)).all()


def save_topic(topic_id, name, service_code, active, by):
    """Add (``topic_id`` None) or rename/retire a topic agents record contacts under. Commits; audited.

    Raises ``ActionRefused`` for a service code no service has or a topic that does not exist.
    """
    service = None
    if service_code:
        service = db.session.scalar(db.select(Service).filter_by(code=service_code))
        if service is None:
            raise ActionRefused("Choose a service from the list, or none for a general topic.")
    if topic_id is None:
        topic = ContactTopic(name=name, service=service, active=True)
        db.session.add(topic)
    else:
        topic = db.session.get(ContactTopic, topic_id)
        if topic is None:
            raise ActionRefused("That topic does not exist.")
        topic.name, topic.service, topic.active = name, service, active
    db.session.flush()
    audit.record("contact_topic_saved", actor=by, target=topic, name=name, active=topic.active)
    db.session.commit()
    return topic


def templates():
    return db.session.scalars(db.select(ReplyTemplate).order_by(ReplyTemplate.language, ReplyTemplate.name)).all()


def save_template(template_id, name, language, body, active, by):
    """Add or change a reply template. Commits; audited. Raises ``ActionRefused`` for unknown placeholders."""
    try:
        reply_templates.check(body)
    except reply_templates.TemplateProblem as problem:
        raise ActionRefused(str(problem)) from None
    template = db.session.get(ReplyTemplate, template_id) if template_id else ReplyTemplate()
    if template is None:
        raise ActionRefused("That template does not exist.")
    clash = db.session.scalar(db.select(ReplyTemplate).filter_by(name=name, language=language))
    if clash is not None and clash.id != template.id:
        raise ActionRefused(f"There is already a template “{name}” in that language.")
    template.name, template.language, template.body, template.active = name, language, body, active
    db.session.add(template)
    db.session.flush()
    audit.record("reply_template_saved", actor=by, target=template, name=name, language=language, active=active)
    db.session.commit()
    return template
