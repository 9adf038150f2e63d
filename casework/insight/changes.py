"""Process changes supervisors mark on a service, so the blueprint can show before and after."""
from casework.insight.models import ProcessChange
from core import audit
from core.extensions import db
from core.timeutil import utcnow
from intake.models import Service


class ChangeRefused(ValueError):
    """The change cannot be kept; ``field`` names what to correct."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def mark(fields, by):
    """Keep a change from ``fields`` (``ProcessChangeSchema``). Commits; audited. Raises ``ChangeRefused``."""
    service = db.session.scalar(db.select(Service).filter_by(code=fields["service"]))
    if service is None:
        raise ChangeRefused("service", "Choose the service that changed from the list")
    change = ProcessChange(service_id=service.id, made_on=fields["made_on"], title=fields["title"],
                           note=fields["note"], marked_by_id=by.id)
    db.session.add(change)
    db.session.flush()
    audit.record("process_change_marked", actor=by, target=change, service=service.code,
                 made_on=change.made_on.isoformat(), title=change.title)
    db.session.commit()
    return change


def remove(change, by):
    """Take back a change marked by mistake. Commits; audited."""
    audit.record("process_change_removed", actor=by, target=change, title=change.title,
                 made_on=change.made_on.isoformat())
    db.session.delete(change)
    db.session.commit()


def set_published(change, published, by):
    """Show ``change`` under "What we changed" on the public performance page, or take it off. Commits; audited."""
    change.published_at = utcnow() if published else None
    audit.record("process_change_published" if published else "process_change_unpublished", actor=by, target=change,
                 title=change.title)
    db.session.commit()


def changes_of(service_id=None):
    """Marked changes, newest first (of one service if given)."""
    query = db.select(ProcessChange).order_by(ProcessChange.made_on.desc(), ProcessChange.id.desc())
    if service_id is not None:
        query = query.where(ProcessChange.service_id == service_id)
    return db.session.scalars(query).all()
