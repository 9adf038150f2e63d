"""Admins' changes to message wording: listing, saving and resetting, checked by rendering."""
from core import audit
from core.extensions import db
from core.i18n import offered_languages
from notifications.messages import EVENTS, built_in_source, render_parts, template_source
from notifications.models import MessageTemplate


def wording_table():
    """Return one row per event and language: the event, language, and the override if any."""
    overrides = {(row.event, row.language): row for row in db.session.scalars(db.select(MessageTemplate))}
    citizen_languages = list(offered_languages())
    return [
        {"event": event, "audience": audience, "language": language, "override": overrides.get((event, language)),
         "built_in": built_in_source(event, language) is not None}
        for event, (audience, _variables) in EVENTS.items()
        for language in (citizen_languages if audience == "citizen" else ["en"])
    ]


def current_wording(event, language):
    """Return ``(subject, body)`` in force for ``event`` in ``language`` (falls back to English)."""
    subject, body, _language = template_source(event, language)
    return subject, body


def save_wording(event, language, subject, body, sample_payload, by):
    """Store an admin's wording after checking it renders with ``sample_payload``. Commits; audited.

    Raises ``MessageTemplateError`` (nothing saved) if it does not render.
    """
    render_parts(subject, body, sample_payload, language)
    override = db.session.scalar(db.select(MessageTemplate).filter_by(event=event, language=language))
    if override is None:
        override = MessageTemplate(event=event, language=language)
        db.session.add(override)
    override.subject, override.body, override.updated_by_id = subject, body, by.id
    audit.record("message_wording_saved", actor=by, target="message_template", target_id=f"{event}.{language}")
    db.session.commit()
    return override


def reset_wording(event, language, by):
    """Remove the admin's wording so the built-in one applies again. Commits; audited."""
    override = db.session.scalar(db.select(MessageTemplate).filter_by(event=event, language=language))
    if override is not None:
        db.session.delete(override)
        audit.record("message_wording_reset", actor=by, target="message_template", target_id=f"{event}.{language}")
        db.session.commit()
