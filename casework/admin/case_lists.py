"""What admins keep for casework: the list of outcomes a case can end with, and reply templates per language."""
from casework import reply_templates
from casework.errors import ActionRefused
from casework.agency_setup import Outcome, ReplyTemplate
from core import audit
from core.extensions import db


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
